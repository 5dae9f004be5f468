"""A letter from registration to archive in Chromium: register, assign, report, reply, archive.

Screenshots of every page (laptop, and the key pages on a phone) go to var/screenshots/.
"""

import re

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from tests.petitions.conftest import valid_id
from xinfang.org.models import Role
from xinfang.petitions.models import Category, Petition


def _do(pg, action_label, fill=None):
    """Open the action's <details> (its summary starts with the label: 受理 is not 受理并交办), fill its inputs, submit,
    wait for the page."""
    summary = pg.locator("summary", has_text=re.compile(rf"^{action_label}(\s|$)"))
    box = pg.locator("details.pt-action", has=summary).first
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    for name, value in (fill or {}).items():
        field = box.locator(f"[name={name}]")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    box.locator("button[type=submit]").click()
    pg.wait_for_load_state("networkidle")


@pytest.mark.django_db(transaction=True)
def test_letter_lifecycle(page, phone_page, screenshot, county, make_user):
    Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept, keywords="工资 欠薪")
    make_user(Role.CLERK, username="e2e-clerk", name="周登记")
    make_user(Role.OFFICE, username="e2e-office", name="吴主任")
    make_user(Role.UNIT_HANDLER, unit=county.dept, username="e2e-handler", name="钱科长")

    # 1. The clerk registers a letter; the form shows the postmark date for letters only.
    login(page, "e2e-clerk")
    page.goto("/petitions/register/")
    page.select_option("[name=channel]", "letter")
    assert page.locator("[name=postmark_date]").is_visible()
    assert not page.locator("[name=superior_doc_no]").is_visible()
    page.fill("[name=name]", "张三")
    page.fill("[name=id_number]", valid_id())
    page.fill("[name=phone]", "13800138000")
    page.fill("[name=address]", "第1镇1村3组")
    page.fill("[name=postmark_date]", timezone.localdate().isoformat())
    page.select_option("[name=category]", "labour")
    page.select_option("[name=region]", county.villages[0].code)
    page.fill("[name=content]", "反映某建筑公司拖欠农民工工资三个月共计四万元，多次讨要未果")
    page.fill("[name=requests]", "请求督促企业发放工资")
    screenshot(page, "01-register")
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    petition = Petition.objects.get()
    assert f"/petitions/{petition.reg_no}/receipt/?t=" in page.url
    code = page.locator(".pt-big").nth(1).inner_text().strip()
    assert len(code) == 8
    screenshot(page, "02-receipt")
    page.click("text=完成，查看信访件")
    page.wait_for_load_state("networkidle")
    assert "已告知" not in page.content() and petition.reg_no in page.inner_text("h1")

    # 2. The office accepts and assigns it to the department.
    page.context.clear_cookies()
    login(page, "e2e-office")
    page.goto("/petitions/?bucket=triage_today")
    assert petition.reg_no in page.inner_text("table")
    screenshot(page, "03-worklist")
    page.click(f"text={petition.reg_no}")
    page.wait_for_load_state("networkidle")
    screenshot(page, "04-petition-registered")
    # The page opens the step at hand, 受理并交办, with the unit the routing suggests already chosen.
    box = page.locator("details.pt-action[open]")
    assert box.count() == 1 and box.locator("summary").inner_text().startswith("受理并交办")
    assert box.locator("[name=handling_unit]").input_value() == county.dept.code
    box.locator("[name=note]").fill("请依法核实处理并报结果")
    box.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("#action-result")
    assert "已受理并交办测试县人社局" in page.inner_text("#action-result")
    assert page.evaluate("document.getElementById('action-result').getBoundingClientRect().top") < 800  # in view
    screenshot(page, "05-assigned", full_page=False)

    # 3. The department acknowledges and reports the result.
    page.context.clear_cookies()
    login(page, "e2e-handler")
    page.goto(f"/petitions/{petition.reg_no}/")
    _do(page, "签收", {"committed_date": (timezone.localdate() + timezone.timedelta(days=10)).isoformat()})
    assert "已签收" in page.inner_text(".messages")
    _do(page, "报结", {"outcome": "full", "findings": "经查属实，已督促企业全额发放工资", "reply_draft": "您反映的欠薪问题已解决"})
    assert "已报结" in page.inner_text(".messages")
    screenshot(page, "06-result-reported")

    # 4. The office approves, replies, records the evaluation and archives.
    page.context.clear_cookies()
    login(page, "e2e-office")
    page.goto(f"/petitions/{petition.reg_no}/")
    _do(page, "审核通过")
    # A stale form shows the Chinese conflict message (version is one behind now).
    _do(page, "答复", {"method": "letter", "text": "经调查，您反映的工资问题已督促企业全额发放。"})
    assert "已答复" in page.inner_text(".messages")
    screenshot(page, "07-replied")
    _do(page, "满意度评价", {"satisfaction": "satisfied"})
    _do(page, "归档")
    assert "已归档" in page.inner_text(".messages")
    screenshot(page, "08-archived")
    petition.refresh_from_db()
    assert petition.status == "archived"
    actions = [e.action for e in petition.events.order_by("seq")]
    # The lifecycle, in order; between its steps the petitioner's SMS and their delivery reports (messaging).
    assert [a for a in actions if not a.startswith("message_")] == [
        "register",
        "accept",
        "assign",
        "acknowledge",
        "report_result",
        "approve_result",
        "reply",
        "evaluate",
        "archive",
    ]
    assert "message_delivered" in actions  # the development gateway (a file) confirms each message at once
    assert page.locator(".timeline li").count() == len(actions)

    # 5. The same pages on a phone.
    login(phone_page, "e2e-office")
    phone_page.goto(f"/petitions/{petition.reg_no}/")
    screenshot(phone_page, "09-phone-petition")
    phone_page.goto("/petitions/")
    screenshot(phone_page, "10-phone-worklist")
    phone_page.goto("/petitions/register/")
    screenshot(phone_page, "11-phone-register")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, f"页面在手机上横向溢出：{width}px"


@pytest.mark.django_db(transaction=True)
def test_stale_form_shows_chinese_conflict(page, screenshot, county, make_user):
    from xinfang.petitions.services import petition_act, petition_register

    Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept)
    clerk = make_user(Role.CLERK, username="e2e-clerk2")
    office = make_user(Role.OFFICE, username="e2e-office2")
    p, _ = petition_register(
        actor=clerk,
        channel="phone",
        received_at=timezone.now(),
        petitioners=[{"name": "李四", "phone": "13912345678"}],
        nature="inquiry",
        category=Category.objects.get(),
        content="咨询社保补缴政策",
        region=county.region,
    )
    login(page, "e2e-office2")
    # The page loads its supervision panel after "load"; the test's own write shares the in-memory SQLite connection
    # with the live server, so it waits until the page is quiet or their savepoints interleave.
    page.goto(f"/petitions/{p.reg_no}/", wait_until="networkidle")
    petition_act(actor=office, petition_or_reg_no=p.reg_no, action="progress", version=p.version, note="他人先行记录的进度")
    _do(page, "受理")
    assert "该信访件已被他人修改" in page.inner_text(".messages")
    screenshot(page, "conflict")

    # Duplicate hints while typing the phone number on the registration form (htmx).
    page.goto("/petitions/register/")
    page.fill("[name=phone]", "13912345678")
    page.wait_for_selector("#repeat-hints .pt-hint")
    assert p.reg_no in page.inner_text("#repeat-hints") and "电话相同" in page.inner_text("#repeat-hints")
    page.click(f"[data-link-repeat='{p.reg_no}']")
    assert page.input_value("[name=repeat_of]") == p.reg_no
    screenshot(page, "repeat-hint")


@pytest.mark.django_db(transaction=True)
def test_reception_day_visit_leader_takes_case_and_handler_attaches(page, phone_page, screenshot, county, make_user, tmp_path):
    """The reception-day link opens a visit form with the leader chosen; the leader takes the case; the unit adds a file."""
    import io

    from PIL import Image

    Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept)
    make_user(Role.CLERK, username="e2e-clerk", name="周登记")
    leader = make_user(Role.LEADER, username="e2e-leader", name="郑县长")
    make_user(Role.OFFICE, username="e2e-office", name="吴主任")
    make_user(Role.UNIT_HANDLER, unit=county.dept, username="e2e-handler", name="钱科长")

    login(page, "e2e-clerk")
    page.goto(f"/petitions/register/?channel=visit&reception_leader={leader.pk}")
    assert page.locator("[name=channel]").input_value() == "visit"
    assert page.locator("[name=reception_leader]").input_value() == str(leader.pk)
    page.fill("[name=name]", "李四")
    page.fill("[name=phone]", "13900139000")
    page.select_option("[name=category]", "labour")
    page.select_option("[name=region]", county.villages[0].code)
    page.fill("[name=content]", "反映工地拖欠工资，领导接访日当面反映")
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    petition = Petition.objects.get()
    assert petition.reception_leader == leader

    page.context.clear_cookies()
    login(page, "e2e-leader")
    page.goto(f"/petitions/{petition.reg_no}/")
    page.click("text=由我包案")
    page.wait_for_load_state("networkidle")
    petition.refresh_from_db()
    assert petition.case_leader == leader and "郑县长" in page.inner_text(".pt-dl")
    assert page.locator("text=由我包案").count() == 0
    screenshot(page, "20-reception-leader-took-case")

    page.context.clear_cookies()
    login(page, "e2e-office")
    page.goto(f"/petitions/{petition.reg_no}/")
    _do(page, "受理")
    _do(page, "交办", {"handling_unit": county.dept.code, "complexity": "general"})

    login(phone_page, "e2e-handler")
    phone_page.goto(f"/petitions/{petition.reg_no}/")
    phone_page.click("summary:has-text('添加附件')")
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buf, format="PNG")
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(buf.getvalue())
    phone_page.select_option("select[name=kind]", "photo")
    phone_page.set_input_files("input[name=attachments]", str(photo))
    phone_page.click("form[action$='/attachments/'] button[type=submit]")
    phone_page.wait_for_load_state("networkidle")
    assert "已添加附件 1 个" in phone_page.inner_text(".messages")
    assert petition.attachments.get().kind == "photo"
    assert "现场照片.png" in phone_page.inner_text(".pt-files")
    screenshot(phone_page, "21-phone-attachment-added")
    with phone_page.expect_download() as dl:
        phone_page.click(".pt-files a")
    assert open(dl.value.path(), "rb").read() == buf.getvalue()
