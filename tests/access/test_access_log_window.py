"""Issue 18 item 5: one access record per person, petition and kind of view within the window; the office reads the
log of the petitions it registered; the log is in the navigation of those who may read it."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from xinfang.access import policy
from xinfang.access.models import AccessRecord
from xinfang.org.models import Role, Unit, UnitKind

pytestmark = pytest.mark.django_db


def test_one_case_viewed_25_times_in_5_minutes_by_one_person_is_one_record(world, client):
    clerk, p = world.users["clerk"], world.p_in
    client.force_login(clerk)
    before = AccessRecord.objects.filter(user=clerk, petition=p).count()
    start = timezone.now()
    for i in range(25):
        with time_machine.travel(start + timedelta(seconds=12 * i), tick=False):
            assert client.get(f"/petitions/{p.reg_no}/").status_code == 200
    assert AccessRecord.objects.filter(user=clerk, petition=p).count() == before + 1
    # After the window a view is a new record; another person's view is their own record.
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        client.get(f"/petitions/{p.reg_no}/")
    assert AccessRecord.objects.filter(user=clerk, petition=p).count() == before + 2
    client.force_login(world.users["office"])
    client.get(f"/petitions/{p.reg_no}/")
    assert AccessRecord.objects.filter(user=world.users["office"], petition=p).count() == 1


def test_a_different_kind_of_view_is_its_own_record(world):
    clerk, p = world.users["clerk"], world.p_in
    policy.identity_for_display(clerk, p, purpose="查看信访件详情")
    policy.identity_for_display(clerk, p, purpose="查看信访件详情")
    policy.identity_for_display(clerk, p, purpose="导出交办单")
    policy.log_access(clerk, p, ["attachment"], purpose="下载附件")
    policy.log_access(clerk, p, ["attachment"], purpose="下载附件")
    assert sorted(AccessRecord.objects.filter(user=clerk, petition=p).values_list("purpose", flat=True)) == [
        "下载附件",
        "导出交办单",
        "查看信访件详情",
    ]


def test_lists_log_once_per_window_too(world):
    from xinfang.petitions.models import Petition

    clerk = world.users["clerk"]
    page = list(Petition.objects.filter(pk__in=[world.p_in.pk, world.p_out.pk]).prefetch_related("petitioners"))
    policy.identities_for_list(clerk, page, purpose="列表")
    n = AccessRecord.objects.filter(user=clerk).count()
    policy.identities_for_list(clerk, page, purpose="列表")
    assert AccessRecord.objects.filter(user=clerk).count() == n > 0


@override_settings(XINFANG_ACCESS_LOG_WINDOW_MINUTES=0)
def test_a_window_of_zero_records_every_view(world):
    clerk, p = world.users["clerk"], world.p_in
    for _ in range(3):
        policy.identity_for_display(clerk, p, purpose="查看信访件详情")
    assert AccessRecord.objects.filter(user=clerk, petition=p).count() == 3


def test_the_office_reads_the_log_of_its_own_petitions_only(world, client, make_user, county):
    policy.identity_for_display(world.users["clerk"], world.p_in, purpose="查看信访件详情")
    client.force_login(world.users["office"])
    body = client.get("/access/log/").content.decode()
    assert client.get("/access/log/").status_code == 200 and 'id="own-only"' in body
    assert world.p_in.reg_no in body and "查看信访件详情" in body
    # An office user of another petition bureau sees none of these records.
    other = Unit.objects.create(code="xfj-2", name="另一信访局", kind=UnitKind.PETITION_BUREAU, region=county.region)
    client.force_login(make_user(Role.OFFICE, unit=other))
    body = client.get("/access/log/").content.decode()
    assert "共 0 条" in body and world.p_in.reg_no not in body
    # The API follows the same rule.
    from tests.tokens import api_headers

    data = client.get("/api/v1/access/log/", **api_headers(world.users["office"])).json()
    assert data["count"] >= 1 and {r["petition"] for r in data["results"]} <= {world.p_in.reg_no, world.p_out.reg_no}


def test_the_log_is_in_the_navigation_of_those_who_may_read_it(world, client):
    for role, shown in [("admin", True), ("office", True), ("clerk", False), ("leader", False), ("viewer", False)]:
        client.force_login(world.users[role])
        body = client.get("/").content.decode()
        assert ('href="/access/log/"' in body.split("</nav>")[0]) is shown, role
