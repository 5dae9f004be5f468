"""The petition demo: driven through the services, idempotent, with verifiable event chains."""

import pytest
from django.contrib.auth.models import Group

from xinfang.audit.chain import verify_petition_chain
from xinfang.org.models import Role, User
from xinfang.petitions import demo
from xinfang.petitions.models import Category, Petition

pytestmark = pytest.mark.django_db


def test_demo_petitions(county, make_user):
    for username, role, unit in (
        ("clerk", Role.CLERK, county.office),
        ("office", Role.OFFICE, county.office),
        ("leader", Role.LEADER, county.leadership),
        ("unit_handler", Role.UNIT_HANDLER, county.dept),
    ):
        make_user(role, unit=unit, username=username)
    assert Group.objects.filter(name=Role.UNIT_HANDLER).exists()
    summary = demo.load(petitions=40)
    assert "40 件信访件" in summary
    assert Category.objects.count() == len(demo.CATEGORIES)
    statuses = set(Petition.objects.values_list("status", flat=True))
    assert len(statuses) >= 6
    for p in Petition.objects.all():
        assert verify_petition_chain(p) is None
        events = list(p.events.order_by("seq"))
        assert events[0].action == "register" and events[-1].to_status == p.status
    assert "跳过" in demo.load(petitions=40)
    assert Petition.objects.count() == 40
    assert User.objects.filter(username="clerk").exists()


def test_demo_imports_the_official_holidays_of_2025_and_2026_idempotently(county):
    from datetime import date

    from xinfang.petitions import timelimits
    from xinfang.petitions.models import Holiday

    summary = demo.load(petitions=0)
    assert "2025 年节假日" in summary and "2026 年节假日" in summary
    counts = {y: Holiday.objects.filter(date__year=y).count() for y in (2025, 2026)}
    assert counts[2025] == len(timelimits.chinesecalendar_days(2025)) and counts[2026] == len(timelimits.chinesecalendar_days(2026))
    assert Holiday.objects.get(date=date(2025, 10, 1)).is_workday is False  # 国庆节
    edited = timelimits.chinesecalendar_days(2026)[0][0]
    Holiday.objects.filter(date=edited).update(name="手工更正")
    demo.load(petitions=0)
    assert {y: Holiday.objects.filter(date__year=y).count() for y in (2025, 2026)} == counts
    assert Holiday.objects.get(date=edited).name == "手工更正"
