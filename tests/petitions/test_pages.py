"""Pages: registration form, receipt (and PDF), worklist, petition page, action forms, Word documents."""

import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document

from xinfang.petitions.models import Petition

from .conftest import valid_id
from .helpers import act, drive

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


def form_data(county, **over):
    data = {
        "channel": "letter",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "name": "钱七",
        "id_number": valid_id(),
        "phone": "13700001111",
        "address": "第1镇1村",
        "nature": "request",
        "category": "labour",
        "region": county.villages[0].code,
        "content": "反映工地拖欠工资两个月",
        "confidential": "auto",
        "postmark_date": "2026-01-03",
        "headcount": "1",
    }
    data.update(over)
    return data


def test_register_page_receipt_shows_code_once(county, category, users):
    """Issue 18 item 4: post-redirect-get with a one-time token; a reload shows 已告知 and the way to a new code."""
    c = login(users.clerk)
    assert c.get("/petitions/register/").status_code == 200
    r = c.post("/petitions/register/", form_data(county))
    assert r.status_code == 302
    p = Petition.objects.get()
    assert r.url.startswith(f"/petitions/{p.reg_no}/receipt/?t=")
    token = r.url.split("?t=", 1)[1]
    page = c.get(r.url).content.decode()
    assert p.reg_no in page and "查询码只显示这一次" in page and 'id="query-code"' in page
    pdf = c.get(f"/petitions/{p.reg_no}/receipt.pdf?t={token}")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout.decode()
        assert p.reg_no in text and "信访事项登记回执" in text and "已当面告知" not in text
    again = c.get(r.url).content.decode()  # a reload of the very same address
    assert "no-store" in c.get(r.url)["Cache-Control"]
    assert "已告知信访人（不再显示）" in again and 'id="query-code"' not in again and "重新发放查询码" in again
    assert c.get(f"/petitions/{p.reg_no}/receipt/").content.decode().count('id="query-code"') == 0
    c.post(f"/petitions/{p.reg_no}/receipt/done/", {"t": token})
    assert "已告知信访人" in c.get(f"/petitions/{p.reg_no}/receipt/").content.decode()
    if shutil.which("pdftotext"):
        late = c.get(f"/petitions/{p.reg_no}/receipt.pdf?t={token}").content
        late_text = subprocess.run(["pdftotext", "-", "-"], input=late, capture_output=True, check=True).stdout.decode()
        assert "补打的回执不再显示" in late_text and "当面" not in late_text  # a letter: never told in person (issue 14)


def test_receipt_code_is_printable_only_for_a_few_minutes(county, category, users):
    import time_machine

    from xinfang.petitions import receipts

    c = login(users.clerk)
    r = c.post("/petitions/register/", form_data(county))
    p = Petition.objects.get()
    token = r.url.split("?t=", 1)[1]
    session = c.session
    assert receipts.printable(session, p.reg_no, token)
    assert receipts.printable(session, "OTHER-1", token) == "" and receipts.printable(session, p.reg_no, "forged") == ""
    with time_machine.travel(timezone.now() + timedelta(minutes=receipts.PRINT_MINUTES + 1)):
        assert receipts.printable(session, p.reg_no, token) == ""


def test_receipt_reissue_gives_a_new_code_once_and_records_it(county, category, users):
    from xinfang.petitions.registration import check_query_code

    c = login(users.clerk)
    r = c.post("/petitions/register/", form_data(county))
    p = Petition.objects.get()
    first = re.search(r'id="query-code">(\w+)<', c.get(r.url).content.decode()).group(1)
    r = c.post(f"/petitions/{p.reg_no}/receipt/reissue/")
    assert r.status_code == 302 and "?t=" in r.url
    page = c.get(r.url).content.decode()
    second = re.search(r'id="query-code">(\w+)<', page).group(1)
    assert second != first and "已重新发放查询码" in page
    p.refresh_from_db()
    assert check_query_code(p, second) and not check_query_code(p, first)
    assert p.events.filter(action="query_code_reissue").count() == 1
    assert 'id="query-code"' not in c.get(r.url).content.decode()
    # A role that may not issue codes is refused (the portal service's own check) and sees no button.
    handler = login(users.viewer)
    assert handler.post(f"/petitions/{p.reg_no}/receipt/reissue/").status_code in (302, 404)
    assert p.events.filter(action="query_code_reissue").count() == 1


def test_register_page_shows_chinese_errors_and_writes_nothing(county, category, users):
    c = login(users.clerk)
    r = c.post("/petitions/register/", form_data(county, id_number="110105194912310021"))
    assert r.status_code == 200 and "身份证号码不正确" in r.content.decode()
    reps = {f"rep{i}_name": f"代表{i}" for i in range(1, 6)}
    r = c.post("/petitions/register/", form_data(county, channel="visit", headcount="8", **reps))
    assert r.status_code == 302 and Petition.objects.get().collective
    r = c.post("/petitions/register/", form_data(county, channel="from_superior"))
    assert r.status_code == 200 and "上级交办文号" in r.content.decode()
    assert Petition.objects.count() == 1
    assert login(users.handler).get("/petitions/register/").status_code == 403


def test_repeat_candidates_partial(register, users, county):
    p, _ = register()
    c = login(users.clerk)
    html = c.get("/petitions/repeat-candidates/", {"id_number": valid_id()}).content.decode()
    assert p.reg_no in html and "身份证号相同" in html
    assert c.get("/petitions/repeat-candidates/", {"phone": "13000000000"}).content.decode().strip() == ""


def test_worklist_buckets_filters_and_search(register, users, django_assert_max_num_queries):
    for _ in range(3):
        register()
    drive(register, users, "accepted")
    c = login(users.office)
    page = c.get("/petitions/").content.decode()
    assert "今日待阅办" in page and "待交办" in page
    assert c.get("/petitions/?bucket=to_assign").context["page"].count == 1
    assert c.get("/petitions/?q=拖欠").context["page"].count == 4
    assert c.get("/petitions/?q=不存在的内容").context["page"].count == 0
    with django_assert_max_num_queries(21):  # 21: the user's saved filters (常用筛选), one query
        c.get("/petitions/")
    home = c.get("/").content.decode()
    assert "信访待办" in home


def test_detail_page_actions_and_409_message(register, users):
    p, _ = register()
    c = login(users.office)
    page = c.get(f"/petitions/{p.reg_no}/").content.decode()
    assert "受理" in page and 'name="version"' in page and "张三" in page
    r = c.post(f"/petitions/{p.reg_no}/act/accept/", {"version": p.version}, follow=True)
    assert "已受理" in r.content.decode()
    r = c.post(
        f"/petitions/{p.reg_no}/act/assign/", {"version": p.version, "handling_unit": "dept-hr", "complexity": "general"}, follow=True
    )
    assert "该信访件已被他人修改" in r.content.decode()
    p.refresh_from_db()
    assert p.status == "accepted"
    # The leader sees a masked identity on a confidential report.
    report, _ = register(nature="report")
    leader_page = login(users.leader).get(f"/petitions/{report.reg_no}/").content.decode()
    assert "张*" in leader_page and valid_id() not in leader_page
    assert login(users.other_handler).get(f"/petitions/{report.reg_no}/").status_code == 404


def _docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_word_documents_open_with_the_right_content(register, users):
    p = drive(register, users, "awaiting_instruction")
    p = act(p, "instruct", users, instruction="请人社局三日内核实")
    p = act(p, "assign", users)
    p = act(p, "acknowledge", users)
    p = act(p, "extend", users, days=15, reason="需调取工资台账")
    for step in ("report_result", "approve_result", "reply"):
        p = act(p, step, users)
    c = login(users.office)
    expected = {
        "chengpi": ["信访举报问题呈阅表", "请人社局三日内核实", "张三", "拖欠农民工工资"],
        "jiaoban": ["信访事项交办单", "测试县人社局", p.reg_no],
        "extend": ["延期告知书", "需调取工资台账", "延长15日"],
        "opinion": ["处理意见书", "已督促企业全额发放", "30日内"],
    }
    for kind, needles in expected.items():
        r = c.get(f"/petitions/{p.reg_no}/docs/{kind}.docx")
        assert r.status_code == 200, kind
        text = _docx_text(r.content)
        for needle in needles:
            assert needle in text, (kind, needle)
    assert c.get(f"/petitions/{p.reg_no}/docs/decline.docx").status_code == 404
    declined = drive(register, users, "declined")
    text = _docx_text(c.get(f"/petitions/{declined.reg_no}/docs/decline.docx").content)
    assert "不予受理告知书" in text and "不属于信访受理范围" in text
    forwarded = drive(register, users, "forwarded")
    assert "市住建局" in _docx_text(c.get(f"/petitions/{forwarded.reg_no}/docs/forward.docx").content)


def test_review_documents_and_masking_in_word(register, users):
    p = drive(register, users, "under_rereview", nature="report")
    p = act(p, "reply", users, text="复核认为原处理意见正确，予以维持。")
    c = login(users.office)
    assert "复查意见书" in _docx_text(c.get(f"/petitions/{p.reg_no}/docs/review.docx").content)
    text = _docx_text(c.get(f"/petitions/{p.reg_no}/docs/rereview.docx").content)
    assert "复核意见书" in text and "予以维持" in text and "不再受理" in text
    leader_text = _docx_text(login(users.leader).get(f"/petitions/{p.reg_no}/docs/chengpi.docx").content)
    assert "张*" in leader_text and "13800138000" not in leader_text


def test_archive_after_window_via_page(register, users):
    import time_machine

    p = drive(register, users, "replied")
    c = login(users.office)
    assert "archive" not in [a["code"] for a in c.get(f"/petitions/{p.reg_no}/").context["actions"]]
    # The letter reached the petitioner today: the 30 days run from delivery (not from the reply), then the rest-day rule.
    r = c.post(
        f"/petitions/{p.reg_no}/act/record_delivery/", {"version": p.version, "delivered_at": timezone.localdate(), "method": "post"}
    )
    p.refresh_from_db()
    assert p.delivered_at is not None and p.review_request_due_at is not None
    with time_machine.travel(p.review_request_due_at - timedelta(hours=1)):
        c = login(users.office)
        assert "archive" not in [a["code"] for a in c.get(f"/petitions/{p.reg_no}/").context["actions"]]
    with time_machine.travel(p.review_request_due_at + timedelta(seconds=1)):
        c = login(users.office)
        assert "archive" in [a["code"] for a in c.get(f"/petitions/{p.reg_no}/").context["actions"]]
        r = c.post(f"/petitions/{p.reg_no}/act/archive/", {"version": p.version}, follow=True)
    assert "已归档" in r.content.decode()


def test_detail_page_query_count_does_not_grow_with_history(register, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    short = drive(register, users, "in_progress")
    long = drive(register, users, "in_progress")
    for i in range(8):
        long = act(long, "progress", users, note=f"进度{i}")
    c = login(users.office)
    counts = []
    for p in (short, long):
        c.get(f"/petitions/{p.reg_no}/")  # warm caches (session, roles)
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(f"/petitions/{p.reg_no}/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 40, counts


def test_register_page_with_attachments_and_download(county, category, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .test_registration import _png_bytes

    c = login(users.clerk)
    files = [SimpleUploadedFile("信封.png", _png_bytes(), "image/png"), SimpleUploadedFile("扫描.png", _png_bytes(), "image/png")]
    r = c.post("/petitions/register/", {**form_data(county), "attachments": files})
    assert r.status_code == 302, r.content.decode()[:2000]
    p = Petition.objects.get()
    assert p.attachments.count() == 2
    att = p.attachments.first()
    got = c.get(f"/petitions/{p.reg_no}/attachments/{att.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == _png_bytes()
    assert login(users.other_handler).get(f"/petitions/{p.reg_no}/attachments/{att.pk}/").status_code == 404
    bad = c.post("/petitions/register/", {**form_data(county), "attachments": [SimpleUploadedFile("a.pdf", b"plain text")]})
    assert bad.status_code == 200 and "类型不支持" in bad.content.decode()
    assert Petition.objects.count() == 1


def test_petition_page_warns_when_due_year_holidays_unknown(register, users):
    from xinfang.petitions import timelimits

    p, _ = register()
    page = login(users.clerk).get(f"/petitions/{p.reg_no}/").content.decode()
    for notice in timelimits.calendar_notices(p.received_at, p.due_at):
        assert notice in page
    far = p.due_at.replace(year=2090)
    Petition.objects.filter(pk=p.pk).update(due_at=far)
    page = login(users.clerk).get(f"/petitions/{p.reg_no}/").content.decode()
    assert "2090 年节假日尚未录入，按周末计算" in page


def test_reception_day_link_records_the_leader_who_takes_the_case(county, category, users):
    clerk = login(users.clerk)
    page = clerk.get(f"/petitions/register/?channel=visit&reception_leader={users.leader.pk}").content.decode()
    assert 'data-channel="visit"' in page
    assert f'<option value="{users.leader.pk}" selected>' in page
    r = clerk.post("/petitions/register/", form_data(county, channel="visit", reception_leader=str(users.leader.pk)))
    assert r.status_code == 302
    p = Petition.objects.get()
    assert p.reception_leader == users.leader and p.case_leader is None
    assert p.events.get(action="register").data["reception_leader"] == users.leader.username

    leader = login(users.leader)
    page = leader.get(f"/petitions/{p.reg_no}/").content.decode()
    assert "接访领导" in page and "由我包案" in page
    assert "由我包案" not in clerk.get(f"/petitions/{p.reg_no}/").content.decode()
    r = leader.post(
        f"/petitions/{p.reg_no}/act/set_case_leader/", {"version": p.version, "leader": users.leader.username, "reason": "接访领导包案"}
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.case_leader == users.leader
    assert "由我包案" not in leader.get(f"/petitions/{p.reg_no}/").content.decode()


def test_reception_leader_must_be_a_leader_on_a_visit(county, category, users):
    clerk = login(users.clerk)
    r = clerk.post("/petitions/register/", form_data(county, channel="visit", reception_leader=str(users.handler.pk)))
    assert r.status_code == 200
    assert "有效的选项" in r.content.decode() and not Petition.objects.exists()
    r = clerk.post("/petitions/register/", form_data(county, channel="letter", reception_leader=str(users.leader.pk)))
    assert r.status_code == 302  # a letter ignores the reception-day leader
    assert Petition.objects.get().reception_leader is None


def test_register_service_refuses_a_non_leader_reception_leader(register, users):
    from xinfang.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        register(channel="visit", reception_leader=users.handler)
    assert "reception_leader" in exc.value.fields
    with pytest.raises(InvalidInput):
        register(channel="letter", reception_leader=users.leader)
    assert not Petition.objects.exists()


def test_timeline_shows_supervision_and_access_actions_in_chinese(register, users):
    from django.db import transaction

    from xinfang.petitions.events import record_event

    p, _ = register()
    with transaction.atomic():
        locked = Petition.objects.select_for_update().get(pk=p.pk)
        record_event(
            petition=locked, action="urge", actor=users.office, from_status=p.status, to_status=p.status, data={"note": "请加快办理"}
        )
        record_event(
            petition=locked, action="identity_grant", actor=users.office, from_status=p.status, to_status=p.status, data={"reason": "核实"}
        )
    page = login(users.office).get(f"/petitions/{p.reg_no}/").content.decode()
    assert "<strong>催办</strong>" in page and "说明：请加快办理" in page
    assert "<strong>授权查看信访人身份信息</strong>" in page
    assert "<strong>urge</strong>" not in page


def test_petition_page_links_supervision_disputes_grants_and_exports(register, users, county):
    from xinfang.grassroots.models import Dispute

    p, _ = register()
    village = county.villages[0]
    Dispute.objects.create(
        number="JF-TEST-0001",
        kind=Dispute.kind.field.choices[0][0],
        region=village,
        village=village,
        township=village.parent,
        description="土地边界纠纷",
        level_started_at=timezone.now(),
        found_at=timezone.now(),
        petition=p,
        created_by=users.office,
    )
    office = login(users.office)
    page = office.get(f"/petitions/{p.reg_no}/").content.decode()
    assert f'hx-get="/supervision/petition/{p.reg_no}/panel/"' in page and 'hx-trigger="load"' in page
    assert "JF-TEST-0001" in page and "来源矛盾纠纷" in page
    assert f'href="/access/grants/{p.reg_no}/"' in page
    assert office.get(f"/supervision/petition/{p.reg_no}/panel/").status_code == 200

    p = act(p, "accept", users)
    p = act(p, "assign", users)
    handler_page = login(users.handler).get(f"/petitions/{p.reg_no}/").content.decode()
    assert "/access/grants/" not in handler_page

    worklist = office.get("/petitions/?bucket=due_soon&status=registered").content.decode()
    assert 'href="/transfer/export/petitions.xlsx?bucket=due_soon&amp;status=registered"' in worklist
    assert 'href="/transfer/export/petitions.csv?bucket=due_soon&amp;status=registered"' in worklist


def test_identity_search_and_repeat_hints_skip_protected_petitions_for_those_without_the_right(register, users):
    from xinfang.petitions import selectors

    p, _ = register(confidential=True, petitioners=[{"name": "王保密", "id_number": valid_id("11010519800101001"), "phone": "13911112222"}])
    for user, sees in ((users.office, True), (users.leader, False)):
        found = selectors.petition_list(actor=user, filters={"q": "13911112222"})
        assert (p in found) is sees
        found = selectors.repeat_candidates(actor=user, phones=["13911112222"])
        assert (p.pk in [c["petition"].pk for c in found]) is sees
        assert (p in selectors.petition_list(actor=user, filters={"q": p.reg_no})) is True  # the number itself is no secret


def test_routing_suggestions_show_while_the_office_routes_and_not_after(register, users, county):
    """分办建议: shown to the office while the petition can be assigned; keyword fallback names the department."""
    county.dept.responsibilities = "劳动报酬、拖欠工资、社会保险"
    county.dept.save(update_fields=["responsibilities"])
    p, _ = register()
    c = login(users.office)
    c.post(f"/petitions/{p.reg_no}/act/accept/", {"version": p.version})
    page = c.get(f"/petitions/{p.reg_no}/").content.decode()
    assert "分办建议" in page and county.dept.name in page
    p.refresh_from_db()
    c.post(f"/petitions/{p.reg_no}/act/assign/", {"version": p.version, "handling_unit": "dept-hr", "complexity": "general"})
    assert "分办建议" not in c.get(f"/petitions/{p.reg_no}/").content.decode()
