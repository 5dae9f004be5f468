"""The policy: scope per role, the respondent block, identity masking and logging."""

import pytest

from tests.security.world import IDENTITY, ROLE_KEYS, SCOPE, SECRET_ID, SECRET_NAME, SECRET_PHONE, register
from xinfang.access import policy
from xinfang.access.models import AccessRecord, IdentityGrant
from xinfang.access.services import identity_grant_create, identity_grant_revoke, respondent_match_confirm
from xinfang.core.errors import InvalidInput, NoPermission, NotFound
from xinfang.org.models import Role
from xinfang.petitions.models import Petition, Respondent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_scope_is_exactly_the_table(world, role):
    user = world.users[role]
    visible = set(policy.visible_petitions(user).values_list("reg_no", flat=True))
    expected = {world.petition(which).reg_no for which, roles in SCOPE.items() if role in roles}
    assert visible == expected
    for which in ("in", "out"):
        p = world.petition(which)
        if role in SCOPE[which]:
            assert policy.get_visible_petition(user, p.reg_no).pk == p.pk
        else:
            with pytest.raises(NotFound):
                policy.get_visible_petition(user, p.reg_no)


def test_handling_unit_sees_only_from_assignment_on(world, make_user):
    office, handler2 = world.users["office"], world.users["handler2"]
    p = register(world.users["clerk"], category=world.category, region=world.county.townships[0], nature="request", confidential=False)
    assert not policy.visible_petitions(handler2).filter(pk=p.pk).exists()
    from tests.security.world import assign

    assign(office, p, world.county.dept2)
    assert policy.visible_petitions(handler2).filter(pk=p.pk).exists()


def test_leader_sees_what_they_lead_outside_jurisdiction(world):
    leader_t2 = world.users["leader_t2"]
    assert not policy.visible_petitions(leader_t2).filter(pk=world.p_in.pk).exists()
    Petition.objects.filter(pk=world.p_in.pk).update(case_leader=leader_t2)
    assert policy.visible_petitions(leader_t2).filter(pk=world.p_in.pk).exists()


def test_respondent_confirmed_by_name_and_unit_is_blocked(world, make_user):
    # A second respondent recorded by name + unit only; a handler of that name is confirmed by the office.
    other = make_user(Role.UNIT_HANDLER, username="w_li", name="李某某")
    r = Respondent.objects.create(petition=world.p_in, name="李某某", unit_name=world.county.dept.name)
    assert policy.visible_petitions(other).filter(pk=world.p_in.pk).exists()
    from xinfang.access.selectors import respondents_with_matches

    rows = respondents_with_matches(actor=world.users["office"], petition=world.p_in)
    assert [u.username for row in rows if row["respondent"].pk == r.pk for u in row["candidates"]] == ["w_li"]
    respondent_match_confirm(actor=world.users["office"], respondent=r, user=other)
    assert not policy.visible_petitions(other).filter(pk=world.p_in.pk).exists()
    with pytest.raises(NotFound):
        policy.get_visible_petition(other, world.p_in.reg_no)
    assert policy.is_respondent(other, world.p_in)
    with pytest.raises(InvalidInput):
        policy.assert_not_respondent(other, world.p_in, as_what="包案领导")
    assert world.county.dept.pk in policy.respondent_unit_ids(world.p_in)


def test_only_the_registering_office_confirms_matches(world):
    r = Respondent.objects.filter(petition=world.p_in).first()
    with pytest.raises(NoPermission):
        respondent_match_confirm(actor=world.users["leader"], respondent=r, user=world.users["handler2"])


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_identity_masked_for_everyone_without_the_right(world, role):
    user = world.users[role]
    if role not in SCOPE["in"]:
        assert policy.identity_for_display(user, world.p_in, purpose="测试") == [] or not policy.can_see(user, world.p_in)
        return
    people = policy.identity_for_display(user, world.p_in, purpose="测试", path="/t/")
    assert len(people) == 1
    person = people[0]
    if role in IDENTITY:
        assert person["name"] == SECRET_NAME and person["phone"] == SECRET_PHONE and person["id_number"] == SECRET_ID
        assert person["masked"] is False
        assert AccessRecord.objects.filter(user=user, petition=world.p_in, path="/t/").count() == 1
    else:
        assert person["name"] == "保******" and person["phone"] == "139****5678"
        assert person["id_number"] == "（已隐藏）" and person["address"] == "（已隐藏）" and person["work_unit"] == "（已隐藏）"
        assert person["masked"] is True
        assert not AccessRecord.objects.filter(user=user).exists()


def test_ordinary_petition_identity_visible_in_scope_and_logged(world):
    handler_out = world.users["leader_t2"]
    people = policy.identity_for_display(handler_out, world.p_out, purpose="查看详情")
    assert people[0]["name"] == "普通信访人" and people[0]["masked"] is False
    record = AccessRecord.objects.get(user=handler_out)
    assert set(record.fields) == {"name", "id_number", "phone", "address"} and record.purpose == "查看详情"


def test_report_nature_is_protected_even_when_not_marked_confidential(world):
    p = register(world.users["clerk"], category=world.category, region=world.county.townships[0], nature="report", confidential=False)
    assert not p.confidential and policy.is_protected(p)
    assert not policy.can_view_identity(world.users["leader"], p)
    assert policy.can_view_identity(world.users["clerk"], p)


def test_grant_unmasks_for_the_grantee_only_and_revocation_is_a_new_record(world):
    handler, office = world.users["unit_handler"], world.users["office"]
    assert not policy.can_view_identity(handler, world.p_in)
    grant = identity_grant_create(
        actor=office, petition=world.p_in, grantee_user=handler, fields=["name", "phone"], reason="需电话联系核实情况"
    )
    handler = type(handler).objects.get(pk=handler.pk)  # fresh instance: per-instance caches
    person = policy.identity_for_display(handler, world.p_in, purpose="核实")[0]
    assert person["name"] == SECRET_NAME and person["phone"] == SECRET_PHONE and person["id_number"] == "（已隐藏）"
    assert AccessRecord.objects.get(user=handler).via_grant_id == grant.pk
    assert world.p_in.events.filter(action="identity_grant").count() == 1
    identity_grant_revoke(actor=office, grant=grant, reason="核实完毕")
    handler = type(handler).objects.get(pk=handler.pk)
    assert policy.identity_for_display(handler, world.p_in, purpose="核实")[0]["masked"] is True
    assert IdentityGrant.objects.filter(pk=grant.pk).exists() and world.p_in.events.filter(action="identity_grant_revoke").exists()


def test_grant_refusals(world):
    office = world.users["office"]
    with pytest.raises(InvalidInput) as exc:
        identity_grant_create(actor=office, petition=world.p_in, grantee_user=world.users["respondent"], reason="测试授权理由")
    assert "被反映人" in exc.value.message
    with pytest.raises(InvalidInput):
        identity_grant_create(actor=office, petition=world.p_in, grantee_user=world.users["handler2"], reason="测试授权理由")
    with pytest.raises(InvalidInput):
        identity_grant_create(actor=office, petition=world.p_in, grantee_user=world.users["unit_handler"], reason="")
    with pytest.raises(InvalidInput):
        identity_grant_create(
            actor=office, petition=world.p_in, grantee_unit=world.county.leadership, reason="整个单位授权"
        )  # the accused's unit
    with pytest.raises(NoPermission):
        identity_grant_create(actor=world.users["leader"], petition=world.p_in, grantee_user=world.users["unit_handler"], reason="领导授权")
    with pytest.raises(NotFound):
        identity_grant_create(
            actor=world.users["handler2"], petition=world.p_in, grantee_user=world.users["unit_handler"], reason="越权授权"
        )
    assert not IdentityGrant.objects.exists()


def test_superuser_flag_does_not_unmask(world):
    admin = world.users["admin"]
    admin.is_superuser = True
    admin.save()
    assert not policy.can_view_identity(type(admin).objects.get(pk=admin.pk), world.p_in)


def test_list_policy_is_one_query(world, django_assert_max_num_queries):
    office = type(world.users["office"]).objects.select_related("unit__region").get(pk=world.users["office"].pk)
    office.role_codes  # noqa: B018 (warm the role cache as a request would)
    with django_assert_max_num_queries(2):  # the respondent block, once per request, then the list
        list(policy.visible_petitions(office))
    with django_assert_max_num_queries(1):
        list(policy.visible_petitions(office))
    leader = type(world.users["leader"]).objects.select_related("unit__region").get(pk=world.users["leader"].pk)
    leader.role_codes  # noqa: B018
    policy.blocked_petition_ids(leader)
    with django_assert_max_num_queries(1):
        list(policy.visible_petitions(leader))


def test_the_region_scope_is_a_subquery_on_the_region_not_a_join(world):
    """A list statement carries the scope in every bucket it counts; as a join with the regions PostgreSQL planned each
    one anew (7–13 of the worklist counts' 20 ms at 1M petitions). The scope stays exactly the table above."""
    for role in ("office", "leader", "supervisor"):
        sql = str(policy.visible_petitions(world.users[role]).query)
        assert 'JOIN "org_region"' not in sql and '"org_region"' in sql


def test_the_respondent_block_is_a_list_read_once_that_follows_every_write(world, make_user, monkeypatch):
    """policy.blocked_petition_ids: read once per user instance (a request), and again after a respondent is saved,
    bulk-created at registration with its presumed match, or a match is cleared: seen at the next list, on the same
    instance. Above BLOCK_LIST_MAX petitions the block is the EXISTS again."""
    from xinfang.access.models import RespondentMatch
    from xinfang.access.services import respondent_match_clear

    namesake = make_user(Role.OFFICE, username="w_sun", name="孙某某")
    assert "petitions_respondent" not in str(policy.visible_petitions(namesake).query)  # named nowhere: no block at all
    p = register(
        world.users["clerk"],
        category=world.category,
        region=world.county.townships[0],
        respondents=[{"name": "孙某某", "unit": namesake.unit.name, "post": "科员"}],
    )
    assert not policy.visible_petitions(namesake).filter(pk=p.pk).exists()  # presumed at registration: bulk-created
    assert policy.blocked_petition_ids(namesake) == [p.pk]
    match = RespondentMatch.objects.get(respondent__petition=p, user=namesake)
    respondent_match_clear(actor=world.users["office"], match=match, reason="已核实，系同名的另一人")
    assert policy.visible_petitions(namesake).filter(pk=p.pk).exists()
    monkeypatch.setattr(policy, "BLOCK_LIST_MAX", 0)
    Respondent.objects.create(petition=world.p_in, name="孙某某", unit_name="某局", user=namesake)
    visible = policy.visible_petitions(namesake)
    assert "EXISTS" in str(visible.query) and not visible.filter(pk=world.p_in.pk).exists()
    assert visible.filter(pk=p.pk).exists()


def test_identities_for_list_logs_in_bulk(world, django_assert_max_num_queries):
    clerk = world.users["clerk"]
    petitions = list(policy.visible_petitions(clerk).prefetch_related("petitioners"))
    clerk.role_codes  # noqa: B018
    # Constant, whatever the page size: the scope, the records already written in the window (one query), then
    # (chained access log) one savepoint, one read of the heads, one insert of the records, one write of the heads.
    with django_assert_max_num_queries(8):
        out = policy.identities_for_list(clerk, petitions, purpose="列表")
    assert {p.pk for p in petitions} == set(out)
    assert AccessRecord.objects.filter(user=clerk, purpose="列表").count() == 2


def test_identity_search_never_confirms_a_protected_petitioner(world):
    from xinfang.access.selectors import petitions_by_identity

    assert list(policy.identity_searchable(world.users["clerk"]).order_by("pk")) == [world.p_in, world.p_out]
    for role in ("unit_handler", "leader", "supervisor", "admin"):
        assert list(petitions_by_identity(actor=world.users[role], value=SECRET_ID)) == [], role
    assert list(policy.identity_searchable(world.users["leader"])) == [world.p_out]
    identity_grant_create(
        actor=world.users["office"], petition=world.p_in, grantee_user=world.users["unit_handler"], reason="需电话核实情况"
    )
    handler = type(world.users["unit_handler"]).objects.get(pk=world.users["unit_handler"].pk)
    assert list(petitions_by_identity(actor=handler, value=SECRET_PHONE)) == [world.p_in]


def test_a_respondent_write_invalidates_the_blocks_at_once_and_again_at_commit(django_capture_on_commit_callbacks):
    """Once for the writer's own transaction, once when it commits (for the other threads), and the commit's callback
    schedules nothing further (a callback that added another looped forever under captured callbacks)."""
    before = policy._block_generation
    with django_capture_on_commit_callbacks() as callbacks:
        policy.respondents_changed()
    assert policy._block_generation == before + 1 and len(callbacks) == 1
    with django_capture_on_commit_callbacks() as added:
        callbacks[0]()
    assert added == [] and policy._block_generation == before + 2
