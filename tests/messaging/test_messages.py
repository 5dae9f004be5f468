"""Messages at every legal step, through the real services and a real HTTP gateway (tests/messaging/fakegateway.py)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.petitions.helpers import act
from xinfang.messaging import services as ms
from xinfang.messaging.models import MessageStatus, PetitionerMessage
from xinfang.petitions.models import Petition
from xinfang.portal import services as portal

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


def _walk_to_answer(p, users, after_commit, method="sms"):
    for action in ["accept", "assign", "acknowledge"]:
        p = after_commit(act, p, action, users)
    p = after_commit(act, p, "extend", users, days=30, reason="需要补充调查取证")
    for action in ["report_result", "approve_result"]:
        p = after_commit(act, p, action, users)
    return after_commit(act, p, "reply", users, method=method, text="经调查，已责成公司支付拖欠工资。")


def _fresh(p):
    return Petition.objects.get(pk=p.pk)


def test_a_whole_life_sends_the_expected_messages_in_order(gateway, register, users, after_commit):
    p, _code = after_commit(register)
    p = _walk_to_answer(p, users, after_commit)
    # An SMS answer waits for the gateway's delivery report: no window yet.
    assert _fresh(p).delivered_at is None and _fresh(p).review_request_due_at is None
    after_commit(ms.retry_due)
    p = _fresh(p)
    assert p.delivered_at is not None and p.delivery_method == "sms"
    assert p.review_request_due_at is not None  # the 复查 window runs from the report
    p = after_commit(portal.portal_request_review, petition=p, version=p.version, reason="对处理结果不服")
    p = after_commit(act, _fresh(p), "reply", users, method="online", text="复查意见：维持原处理意见。")
    after_commit(ms.retry_due)
    p = _fresh(p)
    assert p.review_level == 1 and p.review_request_due_at is not None
    with time_machine.travel(p.review_request_due_at + timedelta(hours=1), tick=False):
        after_commit(ms.retry_due)
        after_commit(ms.retry_due)  # once per window
    texts = [e["content"] for e in gateway.sent(PHONE)]
    expected = ["已登记", "已受理", "延长至", "已作出处理意见", "复查请求已收到", "已作出复查意见", "申请复核的期限"]
    assert len(texts) == len(expected), texts
    for text, words in zip(texts, expected, strict=True):
        assert words in text and p.reg_no in text and text.startswith("【信访】")
    assert "https://xf.example.cn/portal/" in texts[0] and "需要补充调查取证" in texts[2]
    for text in texts:  # nobody's identity, nothing of the matter
        assert "张三" not in text and "拖欠" not in text and "工资" not in text and users.office.display_name not in text
    assert gateway.bad_signatures == 0 and {e["account"] for e in gateway.log} == {"xf-test"}
    actions = list(p.events.values_list("action", flat=True))
    assert actions.count("message_sent") == 7 and actions.count("message_delivered") == 7
    assert actions.count("record_delivery") == 2  # both answers delivered on the gateway's report


def test_a_refused_number_gets_none_and_sees_them_on_the_portal(gateway, register, users, after_commit):
    p, _code = register()  # registration's own message is not sent: the refusal is written in the same transaction
    ms.set_refusal(petition=p, refused=True, via="registration")
    p = _walk_to_answer(_fresh(p), users, after_commit, method="online")
    assert gateway.log == []
    assert set(PetitionerMessage.objects.filter(petition=p).values_list("status", flat=True)) == {MessageStatus.SKIPPED}
    # Nothing to confirm: an online answer to a petitioner without SMS is delivered as it is given.
    assert _fresh(p).delivered_at is not None


def test_a_petitioner_who_refuses_at_the_window_gets_no_registration_message(gateway, register, users, after_commit):
    p, _code = after_commit(register, refuse_messages=True)  # the clerk's form and the API pass it to the service
    assert gateway.log == []
    refusal = p.events.get(action="message_preference")
    assert refusal.data["refused"] is True and refusal.public
    after_commit(act, _fresh(p), "accept", users)
    assert gateway.log == []


def test_the_clerks_form_offers_the_refusal(client, users):
    from xinfang.messaging.texts import REFUSE_MESSAGES_LABEL

    client.force_login(users.clerk)
    html = client.get("/petitions/register/").content.decode()
    assert REFUSE_MESSAGES_LABEL in html and 'name="refuse_messages"' in html


def test_anonymous_petitions_get_none(gateway, register, users, after_commit):
    p, _code = after_commit(register, anonymous=True, petitioners=[])
    after_commit(act, p, "accept", users)
    assert gateway.log == []


def test_a_decline_names_the_route_by_law(gateway, register, users, after_commit):
    p, _code = after_commit(register)
    after_commit(act, p, "decline", users, route="litigation", route_organ="测试县人民法院", reason="属于诉讼事项")
    text = gateway.sent(PHONE)[-1]["content"]
    assert "不予受理" in text and "测试县人民法院" in text


def test_an_outage_is_retried_with_backoff_and_shown_to_the_office(gateway, register, users, after_commit, client):
    gateway.outage_next = 2
    p, _code = after_commit(register)
    m = PetitionerMessage.objects.get(petition=p)
    assert m.status == MessageStatus.RETRYING and m.attempts == 1
    after_commit(ms.retry_due)  # not due yet: no new try
    assert PetitionerMessage.objects.get(pk=m.pk).attempts == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        after_commit(ms.retry_due)
    m.refresh_from_db()
    assert m.status == MessageStatus.RETRYING and m.attempts == 2
    assert (m.next_attempt_at - timezone.now()).total_seconds() > 200  # the second wait is longer
    with time_machine.travel(timezone.now() + timedelta(seconds=400), tick=False):
        after_commit(ms.retry_due)
    m.refresh_from_db()
    assert m.status == MessageStatus.DELIVERED and m.attempts == 3
    assert [e["answer"] for e in gateway.log] == ["outage", "outage", "accepted"]
    client.force_login(users.office)
    page = client.get(f"/petitions/{p.reg_no}/").content.decode()
    assert "短信发送失败，等待重试" in page and "网关暂不可用" in page and "短信已送达" in page
    panel = page[page.index('id="petitioner-messages"') :]
    assert "登记" in panel and "（第3次）" in panel and "已送达" in panel


def test_a_timeout_is_an_outage_and_gives_up_after_the_last_try(gateway, register, users, after_commit):
    gateway.hang = 1.5
    p, _code = after_commit(register)
    m = PetitionerMessage.objects.get(petition=p)
    assert m.status == MessageStatus.RETRYING and "无法连接" in m.last_error
    gateway.hang = 0
    gateway.outage = True
    later = timezone.now()
    for _ in range(ms.MAX_ATTEMPTS):
        later += timedelta(hours=2)
        with time_machine.travel(later, tick=False):
            after_commit(ms.retry_due)
    m.refresh_from_db()
    assert m.status == MessageStatus.FAILED and m.attempts == ms.MAX_ATTEMPTS
    assert p.events.filter(action="message_failed").count() == 1


def test_a_rejected_number_is_not_retried(gateway, register, users, after_commit):
    gateway.reject.add(PHONE)
    p, _code = after_commit(register)
    m = PetitionerMessage.objects.get(petition=p)
    assert m.status == MessageStatus.REJECTED and "INVALID_PHONE" in m.last_error
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        after_commit(ms.retry_due)
    assert len(gateway.log) == 1


def test_a_delayed_report_and_a_failed_delivery(gateway, register, users, after_commit):
    gateway.report_after = 2
    p, _code = after_commit(register)
    m = PetitionerMessage.objects.get(petition=p)
    after_commit(ms.retry_due)
    m.refresh_from_db()
    assert m.status == MessageStatus.SENT  # the report is not there yet
    after_commit(ms.retry_due)
    after_commit(ms.retry_due)
    m.refresh_from_db()
    assert m.status == MessageStatus.DELIVERED
    gateway.report_after = 0
    gateway.fail_delivery.add(PHONE)
    after_commit(act, _fresh(p), "accept", users)
    after_commit(ms.retry_due)
    last = PetitionerMessage.objects.filter(petition=p).last()
    assert last.status == MessageStatus.FAILED and last.last_error == "关机"


def test_an_sms_answer_whose_message_fails_waits_for_the_office_to_record_delivery(gateway, register, users, after_commit):
    gateway.fail_delivery.add(PHONE)
    p, _code = after_commit(register)
    p = _walk_to_answer(p, users, after_commit)
    after_commit(ms.retry_due)
    p = _fresh(p)
    assert p.delivered_at is None and p.review_request_due_at is None
    p = act(p, "record_delivery", users, method="post")
    assert p.review_request_due_at is not None


def test_a_step_dated_in_the_past_is_not_news(gateway, register, django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now() - timedelta(days=3), tick=False), django_capture_on_commit_callbacks() as callbacks:
        p, _code = register()
    for callback in callbacks:  # its transaction commits three days later (a demo load, a backdated entry)
        callback()
    assert callbacks and not PetitionerMessage.objects.filter(petition=p).exists() and gateway.log == []


def test_the_office_sees_a_retry_waiting_on_the_petition_page(gateway, register, users, after_commit, client):
    gateway.outage = True
    p, _code = after_commit(register)
    client.force_login(users.office)
    page = client.get(f"/petitions/{p.reg_no}/").content.decode()
    panel = page[page.index('id="petitioner-messages"') :]
    assert "发送失败，等待重试" in panel and "HTTP 503" in panel and "重试" in panel


def test_a_try_locks_the_message_and_its_petition_in_one_statement(gateway, register, after_commit):
    """The gateway's answer goes on the petition's timeline, so a try holds the petition's row as every other write
    to the timeline does; FOR UPDATE without OF locks the petition read through select_related."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    gateway.outage_next = 1
    p, _code = after_commit(register)
    m = PetitionerMessage.objects.get(petition=p)
    with CaptureQueriesContext(connection) as queries:
        after_commit(ms.attempt, m.pk)
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and "petitions_petition" in q["sql"]]
    first = reads[0]
    assert "messaging_petitionermessage" in first and 'JOIN "petitions_petition"' in first
    if connection.vendor == "postgresql":  # SQLite has no row locks: BEGIN IMMEDIATE holds the whole file
        assert first.endswith("FOR UPDATE") and " OF " not in first
        assert [r for r in reads if "FOR UPDATE" in r] == [first]  # no second statement to lock the petition again
    assert PetitionerMessage.objects.get(pk=m.pk).status == MessageStatus.SENT  # the gateway's report follows
