"""Issue 18 item 2: batch 交办/签收/催办/归档 on the worklist's ticked rows: one service call and one event per petition,
all or nothing, each refusal named by its registration number."""

import pytest
from django.test import Client
from django.utils import timezone

from xinfang.petitions.batch import BatchRefused, offered_batch_actions, petitions_batch
from xinfang.petitions.models import Petition

from .helpers import drive

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_batch_assign_writes_one_event_per_petition(register, users, county):
    a, b = (drive(register, users, "accepted") for _ in range(2))
    done = petitions_batch(
        actor=users.office, action="assign", rows=[(a.reg_no, a.version), (b.reg_no, b.version)], inputs={"handling_unit": county.dept.code}
    )
    assert done == [a.reg_no, b.reg_no]
    for p in (a, b):
        p.refresh_from_db()
        assert p.status == "assigned" and p.handling_unit == county.dept
        assert p.events.filter(action="assign").count() == 1


def test_batch_is_all_or_nothing_with_each_refusal_named(register, users, county):
    ok = drive(register, users, "accepted")
    stale = drive(register, users, "accepted")
    wrong_state = drive(register, users, "in_progress")
    events = sum(p.events.count() for p in (ok, stale, wrong_state))
    with pytest.raises(BatchRefused) as exc:
        petitions_batch(
            actor=users.office,
            action="assign",
            rows=[(ok.reg_no, ok.version), (stale.reg_no, stale.version - 1), (wrong_state.reg_no, wrong_state.version)],
            inputs={"handling_unit": county.dept.code},
        )
    assert set(exc.value.fields) == {stale.reg_no, wrong_state.reg_no}
    assert "全部未做更改" in exc.value.message
    assert Petition.objects.get(pk=ok.pk).status == "accepted"  # the good row was rolled back too
    assert sum(Petition.objects.get(pk=p.pk).events.count() for p in (ok, stale, wrong_state)) == events


def test_batch_acknowledge_urge_and_archive(register, users, county):
    a, b = (drive(register, users, "assigned") for _ in range(2))
    day = (timezone.localdate() + timezone.timedelta(days=20)).isoformat()
    petitions_batch(
        actor=users.handler, action="acknowledge", rows=[(a.reg_no, a.version), (b.reg_no, b.version)], inputs={"committed_date": day}
    )
    assert set(Petition.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {"in_progress"}
    petitions_batch(actor=users.office, action="urge", rows=[(a.reg_no, None), (b.reg_no, None)], inputs={"note": "请加快办理"})
    assert Petition.objects.get(pk=a.pk).events.filter(action="urge").count() == 1
    c = drive(register, users, "evaluated")  # satisfied: may be archived
    petitions_batch(actor=users.office, action="archive", rows=[(c.reg_no, c.version)], inputs={})
    assert Petition.objects.get(pk=c.pk).status == "archived"


def test_batch_offers_only_what_the_roles_may(users):
    assert [c for c, _ in offered_batch_actions(users.office)] == ["assign", "urge", "archive"]
    assert [c for c, _ in offered_batch_actions(users.handler)] == ["acknowledge"]
    assert offered_batch_actions(users.viewer) == []


def test_the_worklist_batch_form(register, users, county):
    a, b = (drive(register, users, "accepted") for _ in range(2))
    c = login(users.office)
    html = c.get("/petitions/?bucket=to_assign").content.decode()
    assert 'id="batch-form"' in html and f'value="{a.reg_no}:{a.version}"' in html and "批量办理勾选的信访件" in html
    r = c.post(
        "/petitions/batch/",
        {
            "action": "assign",
            "rows": [f"{a.reg_no}:{a.version}", f"{b.reg_no}:{b.version}"],
            "handling_unit": county.dept.code,
            "back": "/petitions/?bucket=to_assign",
        },
        follow=True,
    )
    assert "已批量交办 2 件" in r.content.decode()
    assert r.redirect_chain[-1][0] == "/petitions/?bucket=to_assign"
    r = c.post(
        "/petitions/batch/", {"action": "assign", "rows": [f"{a.reg_no}:{a.version}"], "handling_unit": county.dept.code}, follow=True
    )
    body = r.content.decode()
    assert "批量交办未执行" in body and f"{a.reg_no}：" in body
