"""The law's clock where people see it: the API's answers, the petition page, the notices, the settings page and the
holiday notice loaded in one step (page and command)."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tests.tokens import api_client
from xinfang.core.errors import Conflict, InvalidInput, NoPermission
from xinfang.petitions import holiday_notice, timelimits
from xinfang.petitions.models import Holiday, PauseGround

from .helpers import act, drive
from .test_pages import _docx_text

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
PAGE = "/petitions/settings/time-limits/"


def at(y, m, d, hh=10):
    return datetime(y, m, d, hh, tzinfo=SH)


def login(user):
    c = Client()
    c.force_login(user)
    return c


def action(c, p, name, **body):
    return c.post(f"/api/v1/petitions/{p.reg_no}/actions/{name}/", {"version": p.version, **body}, format="json")


# ---------------------------------------------------------------------------------------------------------- API


def test_api_pause_ground_delivery_and_the_guards_codes(register, users):
    p = drive(register, users, "in_progress")
    office = api_client(users.office)
    bad = action(office, p, "pause", ground="leader_travel", reason="领导出差")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid" and "ground" in bad.json()["error"]["fields"]
    assert "不能暂停计时" in bad.json()["error"]["message"]
    ok = action(office, p, "pause", ground="hearing", reason="组织听证")
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["paused"]["ground"] == "hearing" and body["paused"]["since"].endswith("+08:00")
    p.refresh_from_db()
    assert action(office, p, "resume").json()["paused"] is None
    # After the period in force: 409 period_expired, and nothing written.
    p.refresh_from_db()
    with time_machine.travel(p.handle_due_at + timedelta(seconds=1)):
        leader = api_client(users.leader)  # tokens expire; take them on the day
        late = action(leader, p, "extend", days=10, reason="补充调查")
        assert late.status_code == 409 and late.json()["error"]["code"] == "period_expired"
        p.refresh_from_db()
        assert p.extended_days == 0
        # A return long after the 5 workdays: 409 return_window_passed.
        ret = action(api_client(users.handler), p, "return", reason="非本单位职责")
        assert ret.status_code == 409 and ret.json()["error"]["code"] == "return_window_passed"


def test_api_review_window_is_null_until_delivery(register, users):
    p = drive(register, users, "replied")
    office = api_client(users.office)
    detail = office.get(f"/api/v1/petitions/{p.reg_no}/").json()
    assert detail["delivered_at"] is None and detail["review_request_due_at"] is None and "request_review" in detail["actions"]
    r = action(office, p, "record_delivery", delivered_at="2026-06-16T09:00:00+08:00", method="post")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["delivery_method"] == "post" and body["review_request_due_at"].startswith("2026-07-16T23:59:59")
    p.refresh_from_db()
    bad = action(office, p, "record_delivery", delivered_at="2026-06-16T09:00:00+08:00", method="carrier pigeon")
    assert bad.status_code == 400 and "method" in bad.json()["error"]["fields"]
    with time_machine.travel(at(2026, 7, 17)):
        refused = action(api_client(users.clerk), p, "request_review", reason="不服")
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "review_window_passed"


# ---------------------------------------------------------------------------------------------------------- the page


def test_petition_page_shows_pause_delivery_window_and_calendar_notes(register, users):
    p = drive(register, users, "in_progress")
    p = act(p, "pause", users, ground="appraisal", reason="委托司法鉴定")
    c = login(users.office)
    html = c.get(f"/petitions/{p.reg_no}/").content.decode()
    assert "暂停计时中（鉴定、检验、检测）" in html and "委托司法鉴定" in html and "最长 60 日" in html
    p = act(p, "resume", users)
    for step in ("report_result", "approve_result", "reply"):
        p = act(p, step, users)
    html = c.get(f"/petitions/{p.reg_no}/").content.decode()
    assert "尚未登记送达" in html and 'id="delivery"' in html and "鉴定、检验、检测：" in html  # the past pause is listed
    p = act(p, "record_delivery", users)
    html = c.get(f"/petitions/{p.reg_no}/").content.decode()
    assert "邮寄送达" in html and "可申请复查至" in html and "送达回证" in html


def test_a_due_in_an_unloaded_year_says_so_on_the_page_and_in_the_notices(register, users):
    with time_machine.travel(at(2026, 12, 1)):
        p, _code = register(received_at=at(2026, 12, 1))
        p = act(p, "accept", users)  # 60 days → 30 Jan 2027, a year whose holidays are not entered
        p = act(p, "assign", users)
        html = login(users.office).get(f"/petitions/{p.reg_no}/").content.decode()
        assert "2027 年节假日尚未录入，按周末计算" in html
        text = _docx_text(login(users.office).get(f"/petitions/{p.reg_no}/docs/jiaoban.docx").content)
        assert "2027年法定节假日安排尚未录入" in text and "依法顺延" in text
        # The worklist prints each row's current due: 15 days from 20 Dec 2026 is in 2027.
        with time_machine.travel(at(2026, 12, 20)):
            q, _code = register(received_at=at(2026, 12, 20))
            q = act(q, "triage", users)
        assert timezone.localtime(q.due_at).year == 2027
        worklist = login(users.office).get("/petitions/?bucket=to_decide").content.decode()
        assert "2027 年节假日尚未录入，按周末计算（本页中该年的期限只把周末当作休息日）" in worklist
        holiday_notice.holidays_load(actor=users.admin, text=_NOTICE_2027)
        html = login(users.office).get(f"/petitions/{p.reg_no}/").content.decode()
        assert "2027 年节假日尚未录入" not in html
        assert "2027 年节假日尚未录入" not in login(users.office).get("/petitions/?bucket=to_decide").content.decode()


def test_extension_notice_gives_the_reason_and_the_new_date_and_the_receipt_prints(register, users):
    with time_machine.travel(at(2026, 3, 17)):
        p = drive(register, users, "in_progress")
    with time_machine.travel(at(2026, 4, 1)):
        p = act(p, "extend", users, days=30, reason="需委托第三方核算工资")
        c = login(users.office)
        text = _docx_text(c.get(f"/petitions/{p.reg_no}/docs/extend.docx").content)
        assert "需委托第三方核算工资" in text and "延长30日" in text and "2026年06月17日" in text
        for step in ("report_result", "approve_result", "reply"):
            p = act(p, step, users)
        receipt = _docx_text(c.get(f"/petitions/{p.reg_no}/docs/delivery.docx").content)
        assert "送达回证" in receipt and "处理意见书" in receipt and "受送达人签名" in receipt and "邮寄送达" in receipt


# ---------------------------------------------------------------------------------------------------------- settings


def test_pause_policy_is_edited_by_the_admin_with_conflict_and_checks(client, users):
    row = PauseGround.objects.get(code="hearing")
    with pytest.raises(NoPermission):
        timelimits.pause_ground_update(
            actor=users.office, code="hearing", max_days=20, roles=["office"], expected_max_days=30, expected_roles="office"
        )
    for days, roles, message in (
        (0, ["office"], "1 到 366"),
        ("abc", ["office"], "整数"),
        (20, [], "至少选择"),
        (20, ["viewer"], "至少选择"),
    ):
        with pytest.raises(InvalidInput) as exc:
            timelimits.pause_ground_update(
                actor=users.admin, code="hearing", max_days=days, roles=roles, expected_max_days=30, expected_roles="office"
            )
        assert message in exc.value.message
    row = timelimits.pause_ground_update(
        actor=users.admin, code="hearing", max_days=20, roles=["leader", "office"], expected_max_days=30, expected_roles="office"
    )
    assert (row.max_days, row.roles) == (20, "office,leader") and timelimits.pause_ground("hearing").roles == ("office", "leader")
    with pytest.raises(Conflict):  # a second editor still looking at 30 days
        timelimits.pause_ground_update(
            actor=users.admin, code="hearing", max_days=25, roles=["office"], expected_max_days=30, expected_roles="office"
        )
    assert "暂停事由“听证”由 最长 30 日（信访办） 改为 最长 20 日（信访办、领导）" in LogEntry.objects.get().change_message
    c = login(users.admin)
    html = c.get(PAGE).content.decode()
    assert "暂停计时事由" in html and "法定依据与上限" in html and "条例未规定暂停上限" in html
    r = c.post(
        f"{PAGE}pause/appraisal/",
        {"max_days": "400", "roles": ["office"], "expected_max_days": "60", "expected_roles": "office", "year": "2026"},
    )
    assert r.status_code == 400 and "1 到 366" in r.content.decode()
    assert login(users.office).post(f"{PAGE}pause/appraisal/", {"max_days": "10"}).status_code == 403


_NOTICE_2027 = """# 国务院办公厅关于2027年部分节假日安排的通知（测试用，非真实安排）
2027-01-01~2027-01-03,休,元旦
2027-02-05~2027-02-11,休,春节
2027-02-14,班,春节
2027-04-04~2027-04-06,休,清明节
2027-05-01~2027-05-05,休,劳动节
2027-06-09,休,端午节
2027-09-15,休,中秋节
2027-10-01~2027-10-07,休,国庆节
2027-10-09,班,国庆节
"""


def test_loading_a_notice_in_one_step_all_or_nothing(users):
    with pytest.raises(InvalidInput) as exc:
        holiday_notice.holidays_load(actor=users.admin, text="2027-01-01,休,元旦\n2027-13-01,休,错\n2027-01-05,班,春节\n2027-01-02,放假")
    fields = exc.value.fields["text"]
    assert any("第 2 行" in f and "无效" in f for f in fields) and any("第 3 行" in f and "星期二" in f for f in fields)
    assert not Holiday.objects.exists()  # nothing half-written
    result = holiday_notice.holidays_load(actor=users.admin, text=_NOTICE_2027)
    assert result["years"] == [2027] and result["created"] == 29 and result["missing"] == {}
    assert Holiday.objects.get(date=date(2027, 2, 14)).is_workday and not Holiday.objects.get(date=date(2027, 10, 7)).is_workday
    cal = timelimits.work_calendar()
    assert cal.is_known(2027) and not cal.is_workday(date(2027, 2, 8)) and cal.is_workday(date(2027, 10, 9))
    # Loading again corrects, never duplicates; a partial year is warned about.
    again = holiday_notice.holidays_load(actor=users.admin, text="2027-06-09,休,端午\n2028-01-01,休,元旦")
    assert (again["created"], again["updated"]) == (1, 1) and "春节" in again["missing"][2028]
    with pytest.raises(NoPermission):
        holiday_notice.holidays_load(actor=users.office, text=_NOTICE_2027)


def test_load_holidays_command_reads_a_file(tmp_path, capsys):
    f = tmp_path / "2027.csv"
    f.write_bytes(_NOTICE_2027.encode("gb18030"))  # a GBK file from a Windows desktop
    call_command("load_holidays", "--file", str(f))
    assert "2027 年：新增 29 天" in capsys.readouterr().out
    assert timelimits.work_calendar().is_known(2027)
    (tmp_path / "bad.csv").write_text("2027-01-01;休;元旦\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 1 行"):
        call_command("load_holidays", "--file", str(tmp_path / "bad.csv"))
    with pytest.raises(CommandError, match="无法读取"):
        call_command("load_holidays", "--file", str(tmp_path / "missing.csv"))


def test_the_settings_page_loads_a_pasted_or_uploaded_notice(users):
    c = login(users.admin)
    bad = c.post(f"{PAGE}holidays/load/", {"text": "2027-02-30,休,春节", "year": "2027"})
    assert bad.status_code == 400 and "第 1 行" in bad.content.decode() and "2027-02-30,休,春节" in bad.content.decode()
    upload = io.BytesIO(_NOTICE_2027.encode("utf-8-sig"))
    upload.name = "2027.csv"
    ok = c.post(f"{PAGE}holidays/load/", {"file": upload, "year": "2027"}, follow=True)
    html = ok.content.decode()
    assert "已录入 2027 年放假安排：新增 29 天" in html and "2027 年节假日尚未录入" not in html
    assert "春节" in html and "2月5日至2月11日" in html
    assert login(users.office).post(f"{PAGE}holidays/load/", {"text": _NOTICE_2027}).status_code == 403


def test_the_dossier_lists_the_pauses_and_the_delivery(register, users):
    import shutil
    import subprocess

    from xinfang.transfer.dossier import build_dossier

    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian package poppler-utils) is needed to read the dossier back")
    with time_machine.travel(at(2026, 3, 2)):
        p = drive(register, users, "in_progress")
        p = act(p, "pause", users, ground="hearing", reason="组织听证")
    with time_machine.travel(at(2026, 3, 9)):
        p = act(p, "resume", users)
        for step in ("report_result", "approve_result", "reply", "record_delivery"):
            p = act(p, step, users)
        data, _name = build_dossier(actor=users.office, reg_no=p.reg_no)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "暂停计时（不计入办理期限）" in text and "听证" in text and "暂停 7 日，期限顺延 7 日" in text
    assert "送达" in text and "邮寄送达" in text and "可申请复查/复核至" in text
