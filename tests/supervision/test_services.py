"""Supervision orders, urging, accountability and inspections: timeline events, permissions, conflicts."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from xinfang.core.errors import InvalidInput, InvalidTransition, NoPermission, NotFound, StaleVersion
from xinfang.petitions.models import PetitionEvent, Status
from xinfang.supervision import selectors, services
from xinfang.supervision.models import AccountabilityRecord, Matter, Notification, OrderStatus, SupervisionOrder

from .factories import make_petition

pytestmark = pytest.mark.django_db


def _order(people, p, **kw):
    data = dict(
        actor=people.office,
        reg_no=p.reg_no,
        form="written",
        requirements="请于三日内报告进展",
        answer_due_at=timezone.now() + timedelta(days=3),
    )
    data.update(kw)
    return services.order_issue(**data)


def test_order_issue_answer_close_writes_timeline_notes_without_state_change(county, people):
    p = make_petition(county, due_at=timezone.now() + timedelta(days=10))
    status, version = p.status, p.version
    order = _order(people, p)
    assert order.unit == county.dept and order.status == OrderStatus.OPEN
    assert Notification.objects.filter(recipient=people.head, kind="supervise").exists()
    assert Notification.objects.filter(recipient=people.handler, kind="supervise").exists()

    answered = services.order_answer(actor=people.handler, pk=order.pk, answer="已约见信访人，正在核实", version=order.version)
    assert answered.status == OrderStatus.ANSWERED and answered.answered_by == people.handler
    assert Notification.objects.filter(recipient=people.office, kind="supervision_answer").exists()
    closed = services.order_close(actor=people.office, pk=order.pk, note="答复属实", version=answered.version)
    assert closed.status == OrderStatus.CLOSED

    p.refresh_from_db()
    assert (p.status, p.version) == (status, version)
    events = list(PetitionEvent.objects.filter(petition=p).order_by("seq").values_list("action", "from_status", "to_status"))
    assert events == [("supervise", status, status), ("supervision_answer", status, status), ("supervision_close", status, status)]


def test_stale_version_is_a_conflict_and_writes_nothing(county, people):
    p = make_petition(county, due_at=timezone.now() + timedelta(days=10))
    order = _order(people, p)
    services.order_answer(actor=people.handler, pk=order.pk, answer="第一次答复", version=order.version)
    with pytest.raises(StaleVersion):
        services.order_answer(actor=people.handler, pk=order.pk, answer="覆盖", version=order.version)
    order.refresh_from_db()
    assert order.answer == "第一次答复"
    assert PetitionEvent.objects.filter(petition=p, action="supervision_answer").count() == 1


def test_only_the_supervised_unit_answers_and_only_supervisors_issue(county, people):
    p = make_petition(county, due_at=timezone.now() + timedelta(days=10))
    with pytest.raises(NotFound):  # a handler of another unit does not see the petition
        services.order_issue(
            actor=people.outsider, reg_no=p.reg_no, form="written", requirements="x", answer_due_at=timezone.now() + timedelta(days=1)
        )
    with pytest.raises(NoPermission):  # the handling unit sees it but cannot supervise itself
        services.order_issue(
            actor=people.handler, reg_no=p.reg_no, form="written", requirements="x", answer_due_at=timezone.now() + timedelta(days=1)
        )
    order = _order(people, p)
    with pytest.raises(NotFound):
        services.order_answer(actor=people.outsider, pk=order.pk, answer="不是我的")
    with pytest.raises(NoPermission):
        services.order_answer(actor=people.office, pk=order.pk, answer="办公室代答")
    with pytest.raises(InvalidTransition):
        services.order_close(actor=people.office, pk=order.pk)
    # a supervisor may supervise in the townships their group covers only
    assert services.order_issue(
        actor=people.supervisor, reg_no=p.reg_no, form="on_site", requirements="现场督办", answer_due_at=timezone.now() + timedelta(days=1)
    )
    with pytest.raises(NotFound):
        services.order_issue(
            actor=people.other_supervisor,
            reg_no=p.reg_no,
            form="on_site",
            requirements="x",
            answer_due_at=timezone.now() + timedelta(days=1),
        )


def test_bad_input_gets_chinese_messages_and_leaves_nothing(county, people):
    p = make_petition(county, due_at=timezone.now() + timedelta(days=10))
    with pytest.raises(InvalidInput) as exc:
        services.order_issue(
            actor=people.office, reg_no=p.reg_no, form="fax", requirements=" ", answer_due_at=timezone.now() - timedelta(hours=1)
        )
    assert set(exc.value.fields) == {"form", "requirements", "answer_due_at"}
    assert "督办方式" in exc.value.message
    p2 = make_petition(county, due_at=None, handling_unit=None, status=Status.REGISTERED)
    with pytest.raises(InvalidInput) as exc:
        _order(people, p2)
    assert "unit" in exc.value.fields
    assert not SupervisionOrder.objects.exists()
    assert not PetitionEvent.objects.exists()


def test_urge_records_and_notifies(county, people):
    p = make_petition(county, due_at=timezone.now() + timedelta(days=1))
    urging = services.petition_urge(actor=people.office, reg_no=p.reg_no, note="请加快办理")
    assert urging.unit == county.dept
    assert PetitionEvent.objects.get(petition=p).action == "urge"
    assert Notification.objects.filter(kind="urge", recipient=people.head).count() == 1
    with pytest.raises(InvalidInput):
        services.petition_urge(actor=people.office, reg_no=p.reg_no, note="")
    assert list(selectors.urgings_for(people.handler)) == [urging]
    assert list(selectors.urgings_for(people.outsider)) == []


def test_worklists_by_role(county, people):
    p = make_petition(county, due_at=timezone.now() + timedelta(days=10))
    p_other = make_petition(county, due_at=timezone.now() + timedelta(days=10), handling_unit=county.dept2, region=county.villages[2])
    o1 = _order(people, p)
    o2 = _order(people, p_other)
    assert set(selectors.orders_for(people.office)) == {o1, o2}
    assert list(selectors.orders_for(people.handler)) == [o1]
    assert list(selectors.orders_for(people.outsider)) == [o2]
    assert list(selectors.orders_for(people.supervisor)) == [o1]  # township 1 only
    assert list(selectors.orders_for(people.other_supervisor)) == [o2]


def test_an_order_or_urging_on_a_petition_that_accuses_the_reader_is_not_listed_to_them(county, people):
    """The respondent block reaches the orders and urgings lists as it reaches the petition (access.policy)."""
    from xinfang.petitions.models import Respondent

    p = make_petition(county, due_at=timezone.now() + timedelta(days=10))
    order, urging = _order(people, p), services.petition_urge(actor=people.office, reg_no=p.reg_no, note="请加快办理")
    assert list(selectors.orders_for(people.handler)) == [order] and list(selectors.urgings_for(people.handler)) == [urging]
    Respondent.objects.create(petition=p, name=people.handler.name, unit_name=county.dept.name, user=people.handler)
    assert list(selectors.orders_for(people.handler)) == [] and list(selectors.urgings_for(people.handler)) == []
    assert list(selectors.orders_for(people.office)) == [order]  # everyone else still sees them


def test_accountability_records_and_counts(county, people):
    p = make_petition(county, due_at=timezone.now() - timedelta(days=5))
    r = services.accountability_record(
        actor=people.office,
        unit=county.dept,
        person_name="王某",
        matter=Matter.OVERDUE,
        facts="超期5天未办结",
        decision="通报批评",
        reg_no=p.reg_no,
    )
    services.accountability_record(
        actor=people.office, unit=county.dept, person_name="李某", matter=Matter.LOST, facts="遗失来信", decision="诫勉谈话"
    )
    services.accountability_record(
        actor=people.office, unit=county.dept2, person_name="赵某", matter=Matter.LEAKED, facts="泄露信息", decision="党内警告"
    )
    assert PetitionEvent.objects.get(petition=p).action == "accountability"
    today = timezone.localdate()
    assert selectors.accountability_counts(today - timedelta(days=1), today) == {county.dept.pk: 2, county.dept2.pk: 1}
    assert selectors.accountability_counts(today + timedelta(days=1), today + timedelta(days=2)) == {}
    grouped = selectors.accountability_by_unit_and_person(people.office)
    assert grouped["by_unit"][0]["unit_id"] == county.dept.pk and grouped["by_unit"][0]["n"] == 2
    assert [row["person_name"] for row in grouped["by_person"]] == ["李某", "王某", "赵某"]
    with pytest.raises(NoPermission):
        services.accountability_record(actor=people.handler, unit=county.dept, person_name="x", matter="other", facts="x", decision="x")
    with pytest.raises(InvalidInput) as exc:
        services.accountability_record(actor=people.office, unit=county.dept, person_name="", matter="bad", facts="", decision="")
    assert set(exc.value.fields) == {"matter", "person_name", "facts", "decision"}
    with pytest.raises(AccountabilityRecord.DoesNotExist):
        AccountabilityRecord.objects.get(person_name="")
    with pytest.raises(Exception):  # noqa: B017 - records are never deleted
        r.delete()


def test_inspections_only_in_own_townships(county, people):
    rec = services.inspection_record(
        actor=people.supervisor, township=county.townships[0], date_=timezone.localdate(), findings="3件超期未回复"
    )
    assert rec.pk
    with pytest.raises(InvalidInput):
        services.inspection_record(actor=people.supervisor, township=county.townships[1], date_=timezone.localdate(), findings="x")
    with pytest.raises(InvalidInput):
        services.inspection_record(actor=people.supervisor, township=county.townships[0], date_=date(2999, 1, 1), findings="x")
    with pytest.raises(NoPermission):
        services.inspection_record(actor=people.office, township=county.townships[0], date_=timezone.localdate(), findings="x")


def test_supervisor_page_lists_their_townships(county, people, django_assert_max_num_queries):
    overdue = make_petition(county, due_at=timezone.now() - timedelta(days=1))
    soon = make_petition(county, due_at=timezone.now() + timedelta(days=2))
    make_petition(county, due_at=timezone.now() - timedelta(days=1), region=county.villages[2])  # township 2
    services.inspection_record(actor=people.supervisor, township=county.townships[0], date_=timezone.localdate(), findings="走访")
    with django_assert_max_num_queries(8):
        page = selectors.supervisor_page(people.supervisor)
    assert [t["township"] for t in page["townships"]] == [county.townships[0]]
    assert page["townships"][0]["open"] == 2
    assert page["overdue"] == [overdue] and page["due_soon"] == [soon]
    assert len(page["inspections"]) == 1
    with pytest.raises(NoPermission):
        selectors.supervisor_page(people.office)
