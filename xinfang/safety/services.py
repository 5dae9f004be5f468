"""Writes of school safety information. Each takes `actor`, checks the right and the input, and
writes in one transaction. Nothing is deleted; revoking an officer ends the post (ended_on)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from xinfang.core import inputs
from xinfang.core.errors import Conflict, InvalidInput, InvalidTransition, NoPermission, NotFound, StaleVersion
from xinfang.org.models import NetworkPost, PostRole, Unit
from xinfang.safety import selectors
from xinfang.safety.models import Importance, Recognition, ReportingFailure, SafetyCategory, SafetyChannel, SafetyReport, ValueRating

MAX_ADVANCED_PER_SCHOOL = 2


def _choice(value, choices, field, label):
    if value not in choices.values:
        raise InvalidInput(f"请选择{label}", fields={field: [f"请选择{label}"]})
    return value


@transaction.atomic
def safety_report_file(
    *, actor, category: str, channel: str, content: str, importance: str = Importance.NORMAL, post_id: int | None = None
) -> SafetyReport:
    """A safety information officer files one item; it counts for this calendar month (Asia/Shanghai).
    A major item is flagged for the school's leading-group head and the office at once."""
    posts = list(selectors.officer_posts(actor))
    if not posts:
        raise NoPermission("只有在岗的安全信息员可以报送安全信息")
    post = posts[0] if post_id is None else next((p for p in posts if p.pk == int(post_id)), None)
    if post is None:
        raise InvalidInput("请选择您任职的学校", fields={"post_id": ["请选择学校"]})
    now = timezone.now()
    report = SafetyReport.objects.create(
        post=post,
        school=post.school,
        reporter=actor,
        category=_choice(category, SafetyCategory, "category", "信息类别"),
        channel=_choice(channel, SafetyChannel, "channel", "传递方式"),
        content=inputs.text(content, "content", "信息内容", max_len=2000),
        importance=_choice(importance, Importance, "importance", "重要程度"),
        reported_at=now,
        month=selectors.month_of(now),
    )
    if report.is_major:
        transaction.on_commit(lambda: _notify_major(report))
    return report


def _notify_major(report: SafetyReport):
    """Tell the school's leading-group head and the office through the supervision inbox. The item
    is also listed as 重大信息待处理 on the school page until someone records what was done."""
    try:
        from xinfang.supervision.notifications import notify_many
    except ImportError:
        return
    from xinfang.org.models import LeadingGroupMember, Role, User

    recipients = [
        m.user for m in LeadingGroupMember.objects.filter(unit=report.school, position="head", user__isnull=False).select_related("user")
    ]
    recipients += list(User.objects.filter(groups__name=Role.OFFICE, is_active=True))
    notify_many(
        recipients=recipients,
        title=f"重大安全信息：{report.school.name}",
        body=report.content[:200],
        url=f"/safety/schools/{report.school_id}/",
        kind="safety_major",
        dedupe_key=f"safety-major-{report.pk}",
    )


def _lock_managed_report(actor, report_id: int, version: int | None) -> SafetyReport:
    report = SafetyReport.objects.select_for_update().select_related("school").filter(pk=report_id).first()
    if report is None or not selectors.can_manage_school(actor, report.school):
        raise NotFound("未找到该安全信息，或您无权处理")
    if version is not None and int(version) != report.version:
        raise StaleVersion("该信息已被他人更新，请刷新后重试")
    return report


@transaction.atomic
def safety_report_rate(*, actor, report_id: int, version: int | None, rating: str) -> SafetyReport:
    """The school rates the value of an item (for the monthly assessment)."""
    report = _lock_managed_report(actor, report_id, version)
    report.value_rating = _choice(rating, ValueRating, "rating", "价值评定")
    report.rated_by = actor
    report.version += 1
    report.save(update_fields=["value_rating", "rated_by", "version"])
    return report


@transaction.atomic
def safety_report_attend(*, actor, report_id: int, version: int | None, note: str) -> SafetyReport:
    """Record what was done about a major item (clears it from the immediate-attention list)."""
    report = _lock_managed_report(actor, report_id, version)
    if report.attended_at is not None:
        raise InvalidTransition("该信息已处理")
    report.attended_by = actor
    report.attended_at = timezone.now()
    report.attention_note = inputs.text(note, "note", "处理情况", max_len=300)
    report.version += 1
    report.save(update_fields=["attended_by", "attended_at", "attention_note", "version"])
    return report


def _school_post(actor, school: Unit, post_id) -> NetworkPost:
    if not selectors.can_manage_school(actor, school):
        raise NoPermission("只有学校领导小组组长、副组长或信访办可以办理")
    post = NetworkPost.objects.select_for_update().filter(pk=post_id, role=PostRole.SAFETY_OFFICER, school=school).order_by("pk").first()
    if post is None:
        raise InvalidInput("请选择本校的安全信息员", fields={"post_id": ["请选择本校的安全信息员"]})
    return post


@transaction.atomic
def recognition_award(*, actor, school: Unit, post_id: int, kind: str, year: int, reason: str, report_id: int | None = None) -> Recognition:
    """Year-end advanced individual (at most 2 per school and year, from officers with reports that
    year), or a reward / major reward for a report that prevented an accident."""
    post = _school_post(actor, school, post_id)
    kind = _choice(kind, Recognition.Kind, "kind", "表彰类型")
    reason = inputs.text(reason, "reason", "事由", max_len=300)
    report = None
    if kind == Recognition.Kind.ADVANCED:
        # Lock the school row so two simultaneous awards cannot both pass the limit.
        Unit.objects.select_for_update().filter(pk=school.pk).first()
        if Recognition.objects.filter(school=school, year=year, kind=kind).count() >= MAX_ADVANCED_PER_SCHOOL:
            raise Conflict(f"每校每年评选先进个人不超过{MAX_ADVANCED_PER_SCHOOL}名，本校{year}年已评满")
        if Recognition.objects.filter(school=school, year=year, kind=kind, post=post).exists():
            raise Conflict("该信息员本年度已评为先进个人")
        if not SafetyReport.objects.filter(post=post, month__year=year).exists():
            raise InvalidInput("该信息员本年度没有报送记录，不能评为先进个人", fields={"post_id": ["本年度无报送记录"]})
    else:
        report = SafetyReport.objects.filter(pk=report_id or 0, post=post).first()
        if report is None:
            raise InvalidInput("奖励须对应该信息员报送的一条信息", fields={"report_id": ["请选择信息"]})
    return Recognition.objects.create(
        kind=kind, year=year, school=school, post=post, report=report, reason=reason, decided_by=actor, decided_on=timezone.localdate()
    )


def _end_post(post: NetworkPost, on: date, reason: str) -> NetworkPost:
    """End the post the way org's `network_post_end` does (conditional update, the row is kept).
    Not called through org's service because that one is reserved to county managers, while the
    seed gives this decision to the school (学校解聘其安全信息员资格)."""
    note = (f"{post.note}；离岗：{reason}" if post.note else f"离岗：{reason}")[:200]
    if not NetworkPost.objects.filter(pk=post.pk, ended_on__isnull=True).update(ended_on=on, note=note):
        raise Conflict(f"{post.name} 已于此前离岗")
    post.ended_on, post.note = on, note
    return post


@transaction.atomic
def reporting_failure_record(
    *, actor, school: Unit, post_id: int, hazard: str, known_on: date, decision: str, decision_text: str = ""
) -> ReportingFailure:
    """A failure to report a known hazard or accident, with the school's decision. Revoking ends
    the officer's post (the post is kept, with ended_on)."""
    post = _school_post(actor, school, post_id)
    if known_on is None or known_on > timezone.localdate():
        raise InvalidInput("知悉日期不能晚于今天", fields={"known_on": ["请填写不晚于今天的日期"]})
    decision = _choice(decision, ReportingFailure.Decision, "decision", "学校决定")
    failure = ReportingFailure.objects.create(
        school=school,
        post=post,
        hazard=inputs.text(hazard, "hazard", "未报告的情况", max_len=2000),
        known_on=known_on,
        decision=decision,
        decision_text=(decision_text or "").strip()[:300],
        decided_by=actor,
        decided_on=timezone.localdate(),
    )
    if decision == ReportingFailure.Decision.REVOKE and post.ended_on is None:
        _end_post(post, timezone.localdate(), "未及时报告安全隐患，学校解聘安全信息员资格")
    return failure
