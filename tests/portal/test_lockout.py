"""Wrong query codes slow guessing down and never lock the petitioner out (issue 16): growing delays per
number and per client, the way back at once by SMS or at the office, and a record the office reads."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.core.errors import InvalidInput, NoPermission, NotFound
from xinfang.petitions.models import PetitionEvent
from xinfang.portal import limits, services
from xinfang.portal.models import LookupLockoutLog, QueryLockout

pytestmark = pytest.mark.django_db


def _attack(reg_no, times, *, start, client_address="", step_seconds=None):
    """Spend `times` wrong codes, each as soon as the delay allows (or every `step_seconds`).
    client_address="rotate": a new address each time (a botnet: the per-client delay never bites)."""
    at = start
    for i in range(times):
        address = f"203.0.{i // 250}.{i % 250 + 1}" if client_address == "rotate" else client_address
        with time_machine.travel(at, tick=False):
            try:
                services.portal_lookup(reg_no=reg_no, query_code=f"WRONG{i:03d}", client_address=address)
            except NotFound:
                pass
            except services.Locked:
                pass
        lock = QueryLockout.objects.filter(reg_no=reg_no).first()
        wait = (lock.locked_until - at).total_seconds() if lock and lock.locked_until and lock.locked_until > at else 0
        at = at + timedelta(seconds=step_seconds if step_seconds is not None else wait + 0.01)
    return at


def test_delays_grow_and_are_capped(submit_petition):
    assert [limits.backoff_seconds(n, free=5, cap=30) for n in range(3, 11)] == [0, 0, 2, 4, 8, 16, 30, 30]


def test_after_100_wrong_codes_the_right_code_gets_through_within_a_minute(submit_petition):
    petition, code = submit_petition()
    start = timezone.now()
    end = _attack(petition.reg_no, 100, start=start, client_address="rotate")
    assert QueryLockout.objects.get(reg_no=petition.reg_no).failures == 100
    # The petitioner, from their own phone, right after the attacker's last try (`end` is when its delay ends):
    with time_machine.travel(end - timedelta(seconds=limits.NUMBER_MAX_DELAY - 1), tick=False):
        with pytest.raises(services.Locked) as waiting:
            services.portal_lookup(reg_no=petition.reg_no, query_code=code, client_address="198.51.100.5")
        assert "秒后再试" in waiting.value.message and "手机号" in waiting.value.message
    with time_machine.travel(end, tick=False):  # at most NUMBER_MAX_DELAY (30 s) later
        assert services.portal_lookup(reg_no=petition.reg_no, query_code=code, client_address="198.51.100.5") == petition
    assert QueryLockout.objects.get(reg_no=petition.reg_no).failures == 0  # the right code clears the count


def test_an_attacker_trying_every_second_cannot_keep_the_number_closed_for_a_minute(submit_petition):
    petition, code = submit_petition()
    start = timezone.now()
    end = _attack(petition.reg_no, 300, start=start, step_seconds=1)  # most tries land inside a delay
    with time_machine.travel(end + timedelta(seconds=limits.NUMBER_MAX_DELAY), tick=False):
        assert services.portal_lookup(reg_no=petition.reg_no, query_code=code) == petition


def test_the_client_is_delayed_across_numbers(submit_petition):
    petition, code = submit_petition()
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        for i in range(limits.CLIENT_FREE_TRIES):
            with pytest.raises(NotFound):
                services.portal_lookup(reg_no=f"XFJ-2026-{i + 500:06d}", query_code="WRONG000", client_address="203.0.113.7")
        with pytest.raises(services.Locked):
            services.portal_lookup(reg_no=petition.reg_no, query_code=code, client_address="203.0.113.7")
        # another client, e.g. the petitioner, is not affected
        assert services.portal_lookup(reg_no=petition.reg_no, query_code=code, client_address="198.51.100.8") == petition
    assert LookupLockoutLog.objects.filter(kind="client_delay").exists()


def test_unknown_numbers_are_delayed_exactly_like_known_ones(submit_petition):
    petition, _code = submit_petition()
    start = timezone.now()
    _attack(petition.reg_no, limits.NUMBER_FREE_TRIES, start=start, step_seconds=0)
    _attack("XFJ-1999-000001", limits.NUMBER_FREE_TRIES, start=start, step_seconds=0)
    with time_machine.travel(start, tick=False):
        for reg_no in (petition.reg_no, "XFJ-1999-000001"):
            with pytest.raises(services.Locked) as exc:
                services.portal_lookup(reg_no=reg_no, query_code="WRONG999")
            assert "2 秒后再试" in exc.value.message


def test_recovery_by_sms_opens_the_petition_at_once_with_a_new_code(client, submit_petition, settings, tmp_path):
    settings.XINFANG_OUTBOX_DIR = tmp_path
    petition, old_code = submit_petition()
    _attack(petition.reg_no, 100, start=timezone.now())
    r = client.post(reverse("portal:recover"), {"step": "send", "reg_no": petition.reg_no.lower()})
    assert r.status_code == 200 and "验证码已发送" in r.content.decode()
    sms = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(sms) == 1 and sms[0]["to"] == "13800138000"
    text = sms[0]["title"] + sms[0]["body"] + sms[0]["url"]
    for private in ("李信访", petition.reg_no, "工资", "劳动", "测试县"):
        assert private not in text  # no identity, no content, not even the number
    sms_code = sms[0]["body"].split("：")[1][:6]
    wrong = client.post(reverse("portal:recover"), {"step": "verify", "reg_no": petition.reg_no, "sms_code": "000000"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    ok = client.post(reverse("portal:recover"), {"step": "verify", "reg_no": petition.reg_no, "sms_code": sms_code})
    page = ok.content.decode()
    assert ok.status_code == 200 and "新查询码" in page
    assert client.get(reverse("portal:detail", args=[petition.reg_no])).status_code == 200  # at once, despite the attack
    new_code = page.split('class="new-code">')[1].split("<")[0]
    assert services.portal_lookup(reg_no=petition.reg_no, query_code=new_code) == petition
    with pytest.raises(NotFound):
        services.portal_lookup(reg_no=petition.reg_no, query_code=old_code)
    event = PetitionEvent.objects.get(petition=petition, action="query_code_reissue")
    assert event.data == {"via": "sms"} and event.public
    assert set(LookupLockoutLog.objects.values_list("kind", flat=True)) >= {"number_delay", "sms_sent", "sms_recovered"}
    # the SMS code is spent
    with pytest.raises(InvalidInput):
        services.portal_recovery_verify(reg_no=petition.reg_no, sms_code=sms_code)


def test_recovery_answers_alike_for_unknown_numbers_and_numbers_without_a_phone(client, submit_petition, settings, tmp_path):
    settings.XINFANG_OUTBOX_DIR = tmp_path
    anonymous, _ = submit_petition(anonymous=True, name="", phone="")
    answers = {services.portal_recovery_send(reg_no=n) for n in ("XFJ-1999-000001", anonymous.reg_no)}
    assert answers == {services.SMS_SENT_MESSAGE}
    assert not (tmp_path / "sms.jsonl").exists()


def test_sms_codes_are_capped_per_number_and_tries_per_code(submit_petition, settings, tmp_path):
    settings.XINFANG_OUTBOX_DIR = tmp_path
    petition, _ = submit_petition()
    for _ in range(services.SMS_PER_NUMBER_PER_HOUR + 2):
        assert services.portal_recovery_send(reg_no=petition.reg_no) == services.SMS_SENT_MESSAGE
    assert len((tmp_path / "sms.jsonl").read_text().splitlines()) == services.SMS_PER_NUMBER_PER_HOUR
    code = json.loads((tmp_path / "sms.jsonl").read_text().splitlines()[-1])["body"].split("：")[1][:6]
    for _ in range(services.SMS_CODE_TRIES):
        with pytest.raises(InvalidInput):
            services.portal_recovery_verify(reg_no=petition.reg_no, sms_code="999999" if code != "999999" else "888888")
    with pytest.raises(InvalidInput):  # too many wrong tries spend even the right code
        services.portal_recovery_verify(reg_no=petition.reg_no, sms_code=code)


def test_the_office_issues_a_new_code_as_an_event_and_reads_the_record(client, submit_petition, office, make_user):
    from xinfang.org.models import Role

    petition, old_code = submit_petition()
    _attack(petition.reg_no, 30, start=timezone.now(), client_address="203.0.113.9")
    client.force_login(office)
    page = client.get(reverse("portal:office")).content.decode()
    assert petition.reg_no in page and "登记编号查询延时" in page and "203.0.113.9" not in page
    r = client.post(reverse("portal:office"), {"action": "reissue", "reg_no": petition.reg_no})
    body = r.content.decode()
    assert r.status_code == 200 and "新查询码已发放" in body
    new_code = body.split('class="new-code">')[1].split("<")[0]
    assert services.portal_lookup(reg_no=petition.reg_no, query_code=new_code) == petition
    with pytest.raises(NotFound):
        services.portal_lookup(reg_no=petition.reg_no, query_code=old_code)
    event = PetitionEvent.objects.get(petition=petition, action="query_code_reissue")
    assert event.actor == office and event.data == {"via": "office"}
    assert "信访局重新发放查询码" in client.get(reverse("portal:office")).content.decode()
    with pytest.raises(NoPermission):
        services.query_code_reissue(actor=make_user(Role.UNIT_HANDLER), reg_no=petition.reg_no)


def test_the_track_page_explains_the_wait_and_the_ways_back(submit_petition):
    petition, code = submit_petition()
    start = timezone.now()
    _attack(petition.reg_no, limits.NUMBER_FREE_TRIES + 3, start=start, step_seconds=0)
    c = Client()
    with time_machine.travel(start, tick=False):
        r = c.post(reverse("portal:track"), {"reg_no": petition.reg_no, "query_code": code})
    text = r.content.decode()
    assert r.status_code == 423 and "秒后再试" in text and reverse("portal:recover") in text
