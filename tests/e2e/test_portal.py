"""The petitioner's portal on a phone (390 px): submit, receive the code, track, download a notice,
evaluate, request a review; the wrong-code and window-closed paths. Screenshots in var/screenshots/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import pdfs
from tests.portal.conftest import drive_to_reply, office, portal_county, submit_petition  # noqa: F401  (fixtures)
from tests.portal.pdftext import pdf_text
from tests.portal.test_portal import PNG
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.django_db(transaction=True)


def _no_horizontal_scroll(pg):
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "page scrolls sideways on a phone"


def test_submit_track_document_evaluate_review_on_a_phone(phone_page, screenshot, portal_county, drive_to_reply, tmp_path):  # noqa: F811
    pg = phone_page
    pg.goto("/portal/")
    screenshot(pg, "home")
    _no_horizontal_scroll(pg)
    pg.get_by_role("link", name="我要信访").first.click()
    pg.wait_for_load_state()
    assert "提交后我们会做什么" in pg.content()
    pg.select_option("select[name=nature]", "request")
    pg.select_option("select[name=category]", "labour")
    pg.select_option("select[name=region]", portal_county.villages[0].code)
    pg.fill("textarea[name=content]", "某建筑工地拖欠我们三个月工资，多次讨要无果。")
    pg.fill("textarea[name=requests]", "请求督促支付工资")
    pg.fill("input[name=name]", "李信访")
    pg.fill("input[name=phone]", "13800138000")
    pg.set_input_files("input[name=attachments]", files=[{"name": "工地照片.png", "mimeType": "image/png", "buffer": PNG}])
    screenshot(pg, "submit-filled")
    _no_horizontal_scroll(pg)
    pg.get_by_role("button", name="提交信访事项").click()
    pg.wait_for_url("**/portal/receipt/")
    reg_no = pg.inner_text("#reg-no").strip()
    code = pg.inner_text("#query-code").strip()
    assert len(code) == 8
    screenshot(pg, "receipt")
    _no_horizontal_scroll(pg)
    with pg.expect_download() as dl:
        pg.click("#receipt-pdf")
    receipt = dl.value.path().read_bytes()
    assert reg_no in pdf_text(receipt) and code in pdf_text(receipt)

    petition = Petition.objects.get(reg_no=reg_no)
    assert petition.attachments.count() == 1
    drive_to_reply(petition, text="经调查，施工单位已于本月支付拖欠的全部工资。")

    # A fresh visit: the wrong code first, then the right one.
    pg.context.clear_cookies()
    pg.goto("/portal/track/")
    pg.fill("input[name=reg_no]", reg_no)
    pg.fill("input[name=query_code]", "WRONG123")
    pg.get_by_role("button", name="查询").click()
    pg.wait_for_selector("#lookup-error")
    assert "登记编号或查询码不正确" in pg.inner_text("#lookup-error")
    screenshot(pg, "wrong-code")
    pg.fill("input[name=query_code]", code.lower())
    pg.get_by_role("button", name="查询").click()
    pg.wait_for_url(f"**/portal/track/{reg_no}/")
    assert pg.inner_text("#status") == "已答复"
    screenshot(pg, "replied")
    _no_horizontal_scroll(pg)
    with pg.expect_download() as dl:
        pg.get_by_role("link", name="下载处理意见书（PDF）").click()
    letter = pdfs.text(dl.value.path().read_bytes()).replace("\n", "")  # the notice in the 公文 layout, read by poppler
    assert "施工单位已于本月支付" in letter and "处理意见书" in letter

    pg.get_by_label("基本满意").check()
    pg.fill("#evaluate textarea[name=comment]", "希望今后及时发放")
    pg.get_by_role("button", name="提交评价").click()
    pg.wait_for_selector(".msg-success")
    assert "感谢您的评价" in pg.inner_text(".messages")
    pg.fill("#review textarea[name=reason]", "仍有一个月工资没有支付")
    pg.get_by_role("button", name="申请复查").click()
    pg.wait_for_selector(".msg-success")
    assert pg.inner_text("#status") == "复查中"
    screenshot(pg, "review-requested")
    petition.refresh_from_db()
    assert petition.status == "under_review" and petition.satisfaction == "basically_satisfied"


def test_review_window_closed_on_a_phone(phone_page, screenshot, submit_petition, drive_to_reply):  # noqa: F811
    petition, code = submit_petition()
    petition = drive_to_reply(petition)
    # The 30 days have passed since the reply reached the petitioner.
    Petition.objects.filter(pk=petition.pk).update(
        delivered_at=timezone.now() - timedelta(days=32), review_request_due_at=timezone.now() - timedelta(days=1)
    )
    pg = phone_page
    pg.goto("/portal/track/")
    pg.fill("input[name=reg_no]", petition.reg_no)
    pg.fill("input[name=query_code]", code)
    pg.get_by_role("button", name="查询").click()
    pg.wait_for_url(f"**/portal/track/{petition.reg_no}/")
    text = pg.inner_text("#review-window")
    assert "届满" in text and "30日" in text
    assert pg.get_by_role("button", name="申请复查").count() == 0
    screenshot(pg, "window-closed")
    _no_horizontal_scroll(pg)


def test_portal_pages_on_a_laptop(page, screenshot, portal_county):  # noqa: F811
    for path, name in (("/portal/", "home"), ("/portal/submit/", "submit"), ("/portal/info/", "info")):
        page.goto(path)
        screenshot(page, name)
        assert page.locator(".mainnav").count() == 0  # no staff navigation for the public


def test_staff_pages_knowledge_routing_and_portal_office(page, phone_page, screenshot, portal_county, make_user):  # noqa: F811
    from tests.e2e.conftest import login
    from xinfang.knowledge import demo
    from xinfang.org.models import Role

    portal_county.dept.responsibilities = "劳动保障监察、欠薪、社会保险"
    portal_county.dept.save()
    demo.load()
    make_user(Role.OFFICE, username="kboffice")
    for pg, size in ((page, "laptop"), (phone_page, "phone")):
        login(pg, "kboffice")
        pg.goto("/")
        assert "应知应会与群众门户" in pg.content()
        pg.goto("/knowledge/?q=保密")
        assert "保密制度" in pg.inner_text("main")
        screenshot(pg, f"library-{size}")
        pg.goto("/knowledge/routing/?content=包工头拖欠工资不给")
        first = pg.locator(".kb-suggestions li").first.inner_text()
        assert portal_county.dept.name in first
        screenshot(pg, f"routing-{size}")
        pg.get_by_role("link", name="归口职责").first.click()
        pg.wait_for_load_state()
        assert "欠薪" in pg.inner_text("main")
        pg.goto("/portal/office/")
        screenshot(pg, f"office-{size}")
        _no_horizontal_scroll(pg) if size == "phone" else None
