"""The review path in Chromium, as each role: the office asks 复查 of an organ outside the deployment, forwards the
request, uploads the opinion's scan and enters the opinion; the petitioner evaluates the review opinion on the portal
(phone); the dissatisfied case is in the office's 不满意件 bucket. Laptop 1366x800 and phone 390x844; screenshots under
var/screenshots/."""

import io

import pytest
from django.utils import timezone
from reportlab.pdfgen import canvas

from tests.e2e.conftest import login
from tests.petitions.conftest import valid_id
from xinfang.org.models import ExternalOrgan, Role
from xinfang.petitions.models import Category, Petition
from xinfang.petitions.services import petition_act, petition_register


def _do(pg, action_label, fill=None):
    box = pg.locator("details.pt-action", has=pg.locator("summary", has_text=action_label)).first
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


def _pdf_file(tmp_path):
    path = tmp_path / "复查意见书.pdf"
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "review opinion")
    c.save()
    path.write_bytes(buf.getvalue())
    return path


def _replied(county, clerk, office, handler):
    category = Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept)
    p, code = petition_register(
        actor=clerk,
        channel="visit",
        received_at=timezone.now(),
        petitioners=[{"name": "张三", "id_number": valid_id(), "phone": "13800138000", "address": "第1镇1村", "work_unit": ""}],
        nature="appeal",
        category=category,
        content="反映某公司拖欠工资三个月，对处理意见不服",
        requests="请求督促发放工资",
        region=county.villages[0],
    )
    steps = [
        (office, "accept", {}),
        (office, "assign", {"handling_unit": county.dept.code}),
        (handler, "acknowledge", {"committed_date": timezone.localdate()}),
        (handler, "report_result", {"outcome": "partial", "findings": "经查部分属实"}),
        (office, "approve_result", {}),
        (office, "reply", {"method": "visit", "text": "经调查，已督促企业发放部分工资。"}),
    ]
    for actor, action, inputs in steps:
        p = petition_act(actor=actor, petition_or_reg_no=p.reg_no, action=action, version=p.version, **inputs)
    return p, code


@pytest.mark.django_db(transaction=True)
def test_external_review_path_as_each_role(page, phone_page, screenshot, county, make_user, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 800})
    clerk = make_user(Role.CLERK, username="rv-clerk")
    office = make_user(Role.OFFICE, username="rv-office", name="吴主任")
    handler = make_user(Role.UNIT_HANDLER, unit=county.dept, username="rv-handler")
    city_hr = ExternalOrgan.objects.create(code="city-hr", name="测试市人力资源和社会保障局", level="city", address="市民生路18号")
    city_hr.supervises.add(county.dept)
    p, code = _replied(county, clerk, office, handler)

    # The office records the petitioner's 复查 request and chooses the organ above the county department.
    login(page, "rv-office")
    page.goto(f"/petitions/{p.reg_no}/")
    box = page.locator("details.pt-action", has=page.locator("summary", has_text="申请复查")).first
    box.locator("summary").click()
    options = box.locator("select[name=review_organ] option").all_inner_texts()
    assert options == ["测试县人民政府（建议）", "测试市人力资源和社会保障局（系统外）"]
    screenshot(page, "01-request-review-laptop", full_page=False)
    _do(page, "申请复查", {"reason": "对处理意见不服", "review_organ": "city-hr"})
    assert "复查机关：测试市人力资源和社会保障局（本系统外，待转送）" in page.inner_text("#review-organ")
    assert page.locator("details.pt-action summary", has_text="答复").count() == 0  # the office does not write its opinion
    _do(page, "转送复查/复核请求", {"note": "请依法复查并书面答复信访人"})
    assert "转送）" in page.inner_text("#review-organ") and "待转送" not in page.inner_text("#review-organ")
    assert page.locator("a", has_text="复查（复核）请求转送告知书").count() == 1

    # The opinion arrives: its scan is uploaded, then the opinion entered with it.
    page.locator("details.pt-upload summary").click()
    page.select_option("details.pt-upload select[name=kind]", "document")
    page.set_input_files("details.pt-upload input[name=attachments]", str(_pdf_file(tmp_path)))
    page.click("details.pt-upload button[type=submit]")
    page.wait_for_load_state("networkidle")
    scan = Petition.objects.get(pk=p.pk).attachments.get()
    _do(
        page,
        "录入复查/复核意见",
        {"text": "经复查，原处理意见认定事实清楚，予以维持。", "decided_at": timezone.localdate().isoformat(), "scan": str(scan.pk)},
    )
    assert "已录入复查/复核意见" in page.inner_text(".messages")
    p.refresh_from_db()
    assert (p.status, p.review_level) == ("replied", 1)
    history = page.inner_text("body")
    assert "复查/复核机关：测试市人力资源和社会保障局" in history and "意见书扫描件：复查意见书.pdf" in history
    screenshot(page, "02-opinion-recorded-laptop")

    # The petitioner, on a phone, evaluates the review opinion.
    phone_page.goto("/portal/track/")
    phone_page.fill("input[name=reg_no]", p.reg_no)
    phone_page.fill("input[name=query_code]", code)
    phone_page.click("#track-form button[type=submit]")
    phone_page.wait_for_load_state("networkidle")
    assert "评价复查意见" in phone_page.inner_text("#evaluate")
    body = phone_page.inner_text("body")
    assert "您的复查/复核请求已转送有权机关" in body and "测试市人力资源和社会保障局" in body
    screenshot(phone_page, "03-portal-evaluate-phone")
    phone_page.check("#evaluate input[value=dissatisfied]")
    phone_page.click("#evaluate button[type=submit]")
    phone_page.wait_for_load_state("networkidle")
    assert "您对复查意见的评价" in phone_page.inner_text("body")
    p.refresh_from_db()
    assert p.review_satisfaction == "dissatisfied"

    # The office sees it among the dissatisfied cases and records a 回访.
    page.goto("/petitions/?bucket=dissatisfied")
    assert p.reg_no in page.inner_text("table")
    page.goto(f"/petitions/{p.reg_no}/")
    assert page.locator("#dissatisfied-prompt").is_visible()
    _do(page, "回访", {"outcome": "review_advised", "method": "phone", "note": "电话告知可向上一级机关申请复核"})
    assert page.locator("#dissatisfied-prompt").count() == 0
    screenshot(page, "04-after-follow-up-laptop")

    # The same page on a phone (the office on the move).
    login(phone_page, "rv-office")
    phone_page.goto(f"/petitions/{p.reg_no}/")
    screenshot(phone_page, "05-petition-phone")
