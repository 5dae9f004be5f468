"""The action machinery shared by every petition service: the current step's due time, the row lock through
the access policy, the version check, and `_finish`, which writes the new state and the one event."""

from django.utils import timezone

from xinfang.access import policy
from xinfang.core.errors import InvalidInput, InvalidTransition, NoPermission, NotFound, StaleVersion
from xinfang.petitions import workflow
from xinfang.petitions.events import record_event
from xinfang.petitions.inputs import jsonable
from xinfang.petitions.models import (
    Channel,
    Petition,
    Status,
)


def current_due(p: Petition):
    """The due time of the step the petition is in now (None when nothing is due).

    While the clock is paused on a legal ground the step is due at the latest time the pause can reach: the due time
    moved by the ground's cap (policy table), so a pause left running past its cap shows as overdue, never as no due.
    """
    s = p.status
    due = None
    if s == Status.REGISTERED:
        # 当日阅办: until triaged, the day's triage is the first thing due.
        due = _min(p.dispatch_due_at, p.accept_due_at, p.triage_due_at if p.triaged_at is None else None)
    elif s == Status.ACCEPTED:
        due = p.handle_due_at if p.dispatched_at else _min(p.dispatch_due_at, p.handle_due_at)
    elif s == Status.AWAITING_INSTRUCTION:
        due = p.instruction_due_at
    elif s in (Status.ASSIGNED, Status.IN_PROGRESS):
        due = _min(p.handle_due_at, p.internal_due_at)
    elif s in (Status.RESULT_REPORTED, Status.AWAITING_REPLY):
        due = p.handle_due_at
    elif s in (Status.UNDER_REVIEW, Status.UNDER_REREVIEW):
        due = p.review_due_at
    if p.paused_at is not None and due is not None:
        due = paused_until_cap(p, due)
    if p.channel == Channel.FROM_SUPERIOR and p.reported_back_at is None and p.superior_due_at and s not in workflow_closed():
        due = _min(due, p.superior_due_at)
    return due


def paused_until_cap(p: Petition, due):
    """A due time as it will stand if the running pause lasts its ground's full cap."""
    from xinfang.petitions import deadlines, timelimits

    ground = timelimits.pause_ground(p.pause_ground)
    if ground is None:
        return None  # a pause of the old kind (no ground): not counted, as before
    return deadlines.shifted_due(due, ground.max_days, timelimits.work_calendar())


def workflow_closed():
    return (Status.DECLINED, Status.FORWARDED, Status.ARCHIVED)


def _min(*values):
    given = [v for v in values if v is not None]
    return min(given) if given else None


def _lock(actor, petition_or_reg_no) -> Petition:
    reg_no = petition_or_reg_no.reg_no if isinstance(petition_or_reg_no, Petition) else str(petition_or_reg_no)
    if actor is None:
        petition = Petition.objects.select_for_update().filter(reg_no=reg_no).first()
        if petition is None:
            raise NotFound("未找到该信访件")
        return petition
    return policy.get_visible_petition(actor, reg_no, for_update=True)


def _check_version(petition: Petition, version) -> None:
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise InvalidInput("缺少版本号 version", fields={"version": ["缺少版本号"]}) from None
    if version != petition.version:
        raise StaleVersion(f"该信访件已被他人修改（当前版本 {petition.version}，您提交的是 {version}），请刷新后重试")


def _begin(actor, petition_or_reg_no, action: str, version, *, actor_label: str = "") -> Petition:
    """Lock the row, then check permission (role table), state and version in that order, then the law's guard."""
    t = workflow.transition(action)
    if t is None:
        raise NotFound(f"未知的操作：{action}")
    petition = _lock(actor, petition_or_reg_no)
    if actor is None:
        if not t.petitioner_may:
            raise NoPermission("此操作须由工作人员办理")
    elif not workflow.role_may(action, actor.role_codes):
        raise NoPermission(f"您的角色无权进行“{workflow.label(action)}”操作")
    if petition.status not in t.from_states:
        raise InvalidTransition(f"信访件当前状态为“{petition.get_status_display()}”，不能进行“{workflow.label(action)}”操作")
    _check_version(petition, version)
    _guard(action, petition, actor)
    return petition


def _guard(action: str, petition: Petition, actor) -> None:
    """Raise the law's refusal for this action now, if any (workflow.refusal, the same rule the page offers by)."""
    refused = workflow.refusal(action, petition, actor, timezone.now())
    if refused is None:
        return
    if refused.code == "permission_denied":
        raise NoPermission(refused.message)
    raise InvalidTransition(refused.message, code=refused.code)


def _finish(
    petition: Petition, *, actor, action: str, fields: list[str], data: dict, public: bool = False, to_status=None, actor_label=""
) -> Petition:
    from_status = petition.status
    if action in workflow.TRIAGES and petition.triaged_at is None:
        petition.triaged_at = timezone.now()  # deciding a petition is triaging it (当日阅办)
        fields = [*fields, "triaged_at"]
    petition.status = to_status or workflow.next_state(action, from_status)
    petition.due_at = current_due(petition)
    old_version = petition.version
    petition.version = old_version + 1
    update = {f: getattr(petition, f) for f in set(fields) | {"status", "due_at", "version"}}
    # Conditional update: a second writer that slipped past the lock would match 0 rows.
    fk_update = {}
    for name, value in update.items():
        field = Petition._meta.get_field(name)
        column = getattr(field, "attname", name)  # handling_unit → handling_unit_id
        fk_update[column if field.is_relation else name] = value.pk if field.is_relation and value is not None else value
    changed = Petition.objects.filter(pk=petition.pk, version=old_version).update(**fk_update)
    if changed != 1:
        raise StaleVersion("该信访件已被他人修改，请刷新后重试")
    from xinfang.petitions import notices  # the notice this decision issues: numbered before, kept after its event

    event = record_event(
        petition=petition,
        action=action,
        actor=actor,
        actor_label=actor_label,
        from_status=from_status,
        to_status=petition.status,
        data=notices.stamp(action, petition, jsonable(data)),
        public=public,
    )
    notices.issue(event, petition)
    return petition
