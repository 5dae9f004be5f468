"""Reception, duty, meetings and urgent-report pages: thin; rules in services.py / selectors.py."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from xinfang.core.errors import DomainError, NotFound
from xinfang.core.forms import apply_errors
from xinfang.reception import selectors, services
from xinfang.reception.forms import (
    ArrivalForm,
    DayForm,
    GenerateDaysForm,
    LogForm,
    MeetingForm,
    MobiliseForm,
    NoteForm,
    ResponseForm,
    SendForm,
    ShiftForm,
    TellForm,
    UrgentForm,
)
from xinfang.reception.models import DutyShift, EmergencyGroup, NoticeMethod, ReceptionDay


def _manager(request):
    if not services.is_manager(request.user):
        raise PermissionDenied


@login_required
def index(request):
    today = timezone.localdate()
    manager = services.is_manager(request.user)
    ctx = {"today": today, "manager": manager}
    if manager:
        ctx["days"] = list(selectors.reception_days(start=today, end=today + timedelta(weeks=8)))
        ctx["empty_days"] = [d for d in ctx["days"] if d.leader_id is None]
        ctx["duty_gaps"] = selectors.group_gaps(selectors.duty_gaps(start=today, end=today + timedelta(days=60)))
        ctx["meeting_warnings"] = selectors.meeting_warnings(year=today.year, today=today)
    ctx["reports"] = list(selectors.urgent_reports_for(request.user)[:10])
    ctx["now"] = timezone.now()
    return render(request, "reception/index.html", ctx)


@login_required
def days(request):
    _manager(request)
    today = timezone.localdate()
    form = GenerateDaysForm(
        request.POST or None,
        initial={"unit": request.user.unit, "start": today, "end": today + timedelta(weeks=12), "place": "县信访局接待大厅"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = services.reception_days_generate(
                actor=request.user, **{k: form.cleaned_data[k] for k in ("unit", "start", "end", "place", "leader")}
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(form, exc)
        else:
            messages.success(request, f"已生成 {len(made)} 个接待日（每周三）")
            return redirect("reception:days")
    rows = list(selectors.reception_days(start=today - timedelta(weeks=2), end=today + timedelta(weeks=26)))
    return render(request, "reception/days.html", {"form": form, "rows": rows, "today": today})


@login_required
def day_edit(request, pk: int):
    _manager(request)
    day = ReceptionDay.objects.select_related("unit", "leader").filter(pk=pk).first()
    if day is None:
        raise Http404
    form = DayForm(request.POST or None, initial={"leader": day.leader, "place": day.place, "note": day.note})
    if request.method == "POST" and form.is_valid():
        try:
            services.reception_day_update(actor=request.user, pk=day.pk, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(form, exc)
        else:
            messages.success(request, "已保存接待日安排")
            return redirect("reception:days")
    return render(request, "reception/day_form.html", {"form": form, "day": day})


@login_required
def duty(request):
    _manager(request)
    today = timezone.localdate()
    form = ShiftForm(request.POST or None, initial={"unit": request.user.unit, "date": today, "kind": "holiday"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.duty_shift_save(
                actor=request.user,
                unit=d["unit"],
                date_=d["date"],
                kind=d["kind"],
                officer=d["officer"],
                phone=d["phone"],
                leader_on_call=d["leader_on_call"],
                leader_phone=d["leader_phone"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(form, exc)
        else:
            messages.success(request, "已保存值班安排")
            return redirect("reception:duty")
    end = today + timedelta(days=60)
    from xinfang.org.models import Unit
    from xinfang.reception import duty as duty_rules
    from xinfang.reception.models import DutyRule

    units = list(selectors.duty_units())
    rules = {r.unit_id: r for r in DutyRule.objects.filter(unit__in=units)}
    return render(
        request,
        "reception/duty.html",
        {
            "form": form,
            "shifts": list(selectors.duty_roster(start=today, end=end)),
            "gaps": selectors.group_gaps(selectors.duty_gaps(start=today, end=end, units=units)),
            "end": end,
            "rules": [(u, *selectors.duty_rule_of(u, rules)) for u in units],
            "rule_units": Unit.objects.filter(active=True).exclude(kind="village_committee").order_by("kind", "code"),
            "away": duty_rules.away_reports(request.user),
        },
    )


@login_required
def duty_log(request, pk: int):
    shift = DutyShift.objects.select_related("unit", "officer", "leader_on_call").filter(pk=pk).first()
    if shift is None:
        raise Http404
    if not (services.is_manager(request.user) or request.user.pk in (shift.officer_id, shift.leader_on_call_id)):
        raise PermissionDenied
    form = LogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.duty_log_add(actor=request.user, shift_id=shift.pk, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(form, exc)
        else:
            messages.success(request, "已记录")
            return redirect("reception:duty_log", pk=shift.pk)
    return render(request, "reception/duty_log.html", {"shift": shift, "entries": shift.log.select_related("by"), "form": form})


@login_required
def meetings(request):
    _manager(request)
    today = timezone.localdate()
    year = int(request.GET["year"]) if (request.GET.get("year") or "").isdigit() else today.year
    form = MeetingForm(request.POST or None, initial={"unit": request.user.unit, "date": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        reg_nos = [r for r in d["reg_nos"].replace("，", ",").split(",") if r.strip()]
        try:
            services.meeting_record(
                actor=request.user,
                unit=d["unit"],
                date_=d["date"],
                chair=d["chair"],
                attendees=d["attendees"],
                issues=d["issues"],
                decisions=d["decisions"],
                follow_up_owners=d["follow_up_owners"],
                reg_nos=reg_nos,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(form, exc)
        else:
            messages.success(request, "已登记信访工作会议")
            return redirect("reception:meetings")
    return render(
        request,
        "reception/meetings.html",
        {"form": form, "rows": selectors.meetings(year=year), "year": year, "warnings": selectors.meeting_warnings(year=year, today=today)},
    )


@login_required
def urgent_new(request):
    form = UrgentForm(request.POST or None, initial={"discovered_at": timezone.localtime().replace(second=0, microsecond=0)})
    if request.method == "POST" and form.is_valid():
        try:
            report = services.urgent_report_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
            apply_errors(form, exc)
        else:
            if report.overdue_at(timezone.now()):
                messages.error(request, "紧急报告已录入：距发现已超过15分钟，记为超时，请立即向上级报告并记录报告对象。")
            else:
                messages.warning(request, "紧急报告已录入：请在发现后15分钟内向上级报告，并在本页记录报告对象。")
            return redirect("reception:urgent", pk=report.pk)
    return render(request, "reception/urgent_form.html", {"form": form})


@login_required
def urgent_detail(request, pk: int):
    try:
        report = selectors.get_urgent_report(request.user, pk)
    except NotFound:
        raise Http404
    user = request.user
    groups = list(EmergencyGroup.objects.prefetch_related("members", "resources").order_by("unit__code", "name"))
    group_id = request.POST.get("group") or request.GET.get("group")
    group = next((g for g in groups if str(g.pk) == str(group_id)), groups[0] if groups else None)
    send_form = SendForm(initial={"version": report.version})
    mob_form = MobiliseForm(group=group)
    response_form, arrival_form = ResponseForm(), ArrivalForm()
    tell_form, note_form = TellForm(initial={"method": "phone"}), NoteForm()
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "send":
                send_form = SendForm(request.POST)
                if send_form.is_valid():
                    d = send_form.cleaned_data
                    services.urgent_report_send(
                        actor=user,
                        pk=report.pk,
                        to_users=list(d["to_users"]),
                        to_units=list(d["to_units"]),
                        note=d["note"],
                        version=d["version"],
                    )
                    messages.success(request, "已记录上报")
                    return redirect("reception:urgent", pk=report.pk)
            elif op == "tell":
                tell_form = TellForm(request.POST)
                if tell_form.is_valid():
                    services.urgent_report_tell(actor=user, pk=report.pk, **tell_form.cleaned_data)
                    messages.success(request, "已记录报告对象")
                    return redirect("reception:urgent", pk=report.pk)
            elif op == "note":
                note_form = NoteForm(request.POST)
                if note_form.is_valid():
                    services.urgent_report_note(actor=user, pk=report.pk, **note_form.cleaned_data)
                    messages.success(request, "已记录")
                    return redirect("reception:urgent", pk=report.pk)
            elif op == "ack":
                services.urgent_report_acknowledge(actor=user, pk=report.pk)
                messages.success(request, "已签收")
                return redirect("reception:urgent", pk=report.pk)
            elif op == "mobilise":
                mob_form = MobiliseForm(request.POST, group=group)
                if mob_form.is_valid():
                    d = mob_form.cleaned_data
                    services.urgent_report_mobilise(
                        actor=user,
                        pk=report.pk,
                        group=group,
                        member_ids=[int(x) for x in d["members"]],
                        resource_ids=[int(x) for x in d["resources"]],
                        note=d["note"],
                    )
                    messages.success(request, "已记录应急调度")
                    return redirect("reception:urgent", pk=report.pk)
            elif op == "response":
                response_form = ResponseForm(request.POST)
                if response_form.is_valid():
                    services.collective_response_record(
                        actor=user, unit=report.unit or user.unit, report=report, **response_form.cleaned_data
                    )
                    messages.success(request, "已登记集体访处置")
                    return redirect("reception:urgent", pk=report.pk)
            elif op == "arrival":
                arrival_form = ArrivalForm(request.POST)
                if arrival_form.is_valid():
                    d = arrival_form.cleaned_data
                    if not report.collective_responses.filter(pk=d["response"]).exists():
                        raise NotFound("未找到该处置记录")
                    services.arrival_record(actor=user, response_id=d["response"], name=d["name"], is_unit_leader=d["is_unit_leader"])
                    messages.success(request, "已登记到场")
                    return redirect("reception:urgent", pk=report.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            target = {
                "send": send_form,
                "mobilise": mob_form,
                "response": response_form,
                "arrival": arrival_form,
                "tell": tell_form,
                "note": note_form,
            }.get(op)
            if target is not None:
                apply_errors(target, exc)
    is_receiver = report.reported_to_users.filter(pk=user.pk).exists() or (
        user.unit_id is not None and report.reported_to_units.filter(pk=user.unit_id).exists() and user.has_role("leader", "office")
    )
    now = timezone.now()
    return render(
        request,
        "reception/urgent_detail.html",
        {
            "r": report,
            "now": now,
            "overdue": report.overdue_at(now),
            "organs": selectors.organ_status(report, now=now),
            "notes": report.notes.select_related("by"),
            "tell_form": tell_form,
            "note_form": note_form,
            "methods": [c for c in NoticeMethod.choices if c[0] != NoticeMethod.SYSTEM],
            "send_form": send_form,
            "mob_form": mob_form,
            "groups": groups,
            "group": group,
            "can_ack": report.reported_at is not None and report.acknowledged_at is None and is_receiver,
            "mobilisations": report.mobilisations.select_related("group", "by").prefetch_related("members", "resources"),
            "to_users": report.reported_to_users.all(),
            "to_units": report.reported_to_units.all(),
            "responses": [
                (resp, selectors.leader_arrived_first(resp))
                for resp in report.collective_responses.select_related("plan", "unit").prefetch_related("arrivals")
            ],
            "response_form": response_form,
            "arrival_form": arrival_form,
        },
    )


@login_required
def urgent_list(request):
    return render(request, "reception/urgent_list.html", {"rows": selectors.urgent_reports_for(request.user)[:200], "now": timezone.now()})
