"""KPIs over petitions driven through the real lifecycle services (not hand-set fields)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.petitions.conftest import category, register, users  # noqa: F401  (fixtures)
from tests.petitions.helpers import act, drive
from xinfang.stats import selectors


@pytest.mark.django_db
def test_kpis_after_real_lifecycle(register, users):  # noqa: F811
    start = timezone.now()
    evaluated = drive(register, users, "evaluated")  # accepted, assigned, replied the same day, satisfied
    drive(register, users, "declined")
    drive(register, users, "forwarded")
    rerouted = drive(register, users, "in_progress")
    rerouted = act(rerouted, "return", users)  # the unit returns it as misrouted
    rerouted = act(rerouted, "assign", users, handling_unit="dept-land")
    drive(register, users, "registered", repeat_of=evaluated)

    office = users.office
    today = timezone.localdate()
    f = selectors.parse_filter(office, {"start": today.isoformat(), "end": today.isoformat()})
    k = selectors.kpi_summary(actor=office, f=f)["kpis"]
    pairs = {code: (v["numerator"], v["denominator"]) for code, v in k.items()}
    assert pairs["on_time_completion"] == (1, 1)
    assert pairs["first_time_resolution"] == (1, 2)  # the evaluated one; the re-routed one is still open
    assert pairs["timely_dispatch"] == (4, 4)  # assigned ×2 (one re-dispatched after the return), declined, forwarded
    assert pairs["timely_acceptance"] == (3, 3)  # accepted ×2, declined; forwarded is not ours to decide
    assert pairs["satisfaction_rate"] == (1, 1) and pairs["evaluation_rate"] == (1, 1)
    assert pairs["repeat_rate"] == (1, 5)

    league = {r["unit"]: r for r in selectors.stats_league(actor=office, f=f)["rows"]}
    assert league["dept-hr"]["returned"] == 1 and league["dept-land"]["assigned"] == 1

    with time_machine.travel(start + timedelta(days=75), tick=False):
        later = selectors.kpi_summary(actor=office, f=f)
        assert later["counts"]["overdue"] >= 1  # the re-routed one is past its handling time
        missed = selectors.drill_down(actor=office, f=f, code="overdue")
        assert rerouted.reg_no in set(missed.values_list("reg_no", flat=True))
