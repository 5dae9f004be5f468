"""/api/v1/reception/: reception days, warnings, urgent reports. One class per operation; rules in the reception app."""

from datetime import date, timedelta

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.access.throttles import PublicRateThrottle
from xinfang.api.schema import results_of
from xinfang.core import inputs
from xinfang.core.errors import InvalidInput, NoPermission
from xinfang.org.models import Region, Unit, User
from xinfang.reception import selectors, services
from xinfang.reception.models import ShiftKind


class UpcomingDaysApi(APIView):
    """Public: the next leaders' reception days (date, place, the leader's post title; no names or phones)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicRateThrottle]  # per client address, X-Forwarded-For only from trusted proxies

    class OutputSerializer(serializers.Serializer):
        date = serializers.DateField()
        place = serializers.CharField()
        unit = serializers.CharField()
        leader_post = serializers.CharField()

    @extend_schema(
        summary="近期领导接访日",
        responses=results_of(OutputSerializer, "UpcomingReceptionDays"),
    )
    def get(self, request):
        return Response({"results": self.OutputSerializer(selectors.upcoming_reception_days(8), many=True).data})


def _dates(params) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        start = date.fromisoformat(params["start"]) if params.get("start") else today
        end = date.fromisoformat(params["end"]) if params.get("end") else today + timedelta(days=60)
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD", fields={"start": ["日期格式应为 YYYY-MM-DD"]})
    if end < start or (end - start).days > 400:
        raise InvalidInput("日期范围无效（不超过400天）", fields={"end": ["日期范围无效"]})
    return start, end


class WarningsApi(APIView):
    """GET ?start=&end=: reception days without a leader, holiday duty gaps, units short of meetings."""

    class OutputSerializer(serializers.Serializer):
        empty_reception_days = serializers.ListField(child=serializers.DictField())
        duty_gaps = serializers.ListField(child=serializers.DictField())
        meetings_short = serializers.ListField(child=serializers.DictField())

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        if not services.is_manager(request.user):
            raise NoPermission("无权查看接待值班提醒")
        start, end = _dates(request.query_params)
        return Response(
            {
                "empty_reception_days": [
                    {"date": d.date, "unit": d.unit.code, "place": d.place} for d in selectors.reception_day_warnings(start=start, end=end)
                ],
                "duty_gaps": [
                    {"date": g["date"], "unit": g["unit"].code, "missing": g["missing"]} for g in selectors.duty_gaps(start=start, end=end)
                ],
                "meetings_short": [
                    {"unit": w["unit"].code, "count": w["count"]} for w in selectors.meeting_warnings(year=timezone.localdate().year)
                ],
            }
        )


class NoticeOutput(serializers.Serializer):
    organ = serializers.CharField(source="organ.code", allow_null=True, default=None)
    organ_name = serializers.CharField()
    told_at = serializers.DateTimeField()
    method = serializers.CharField()
    contact = serializers.CharField()
    late = serializers.BooleanField()
    recorded_at = serializers.DateTimeField()


class NoteOutput(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField(source="by.display_name")


class ReportOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    raised_by = serializers.CharField(source="raised_by.display_name")
    discovered_at = serializers.DateTimeField()
    raised_at = serializers.DateTimeField()
    typed_late = serializers.BooleanField()
    deadline = serializers.DateTimeField()
    what = serializers.CharField()
    region = serializers.CharField(source="region.code")
    headcount = serializers.IntegerField()
    measures = serializers.CharField()
    source = serializers.CharField()
    reported_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField()
    reported_to_users = serializers.SerializerMethodField()
    reported_to_units = serializers.SerializerMethodField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by.display_name", allow_null=True, default=None)
    notices = NoticeOutput(many=True, read_only=True)
    notes = NoteOutput(many=True, read_only=True)
    version = serializers.IntegerField()

    def get_reported_to_users(self, obj) -> list[str]:
        return [u.username for u in obj.reported_to_users.all()]

    def get_reported_to_units(self, obj) -> list[str]:
        return [u.code for u in obj.reported_to_units.all()]


class UrgentReportListApi(APIView):
    class InputSerializer(serializers.Serializer):
        discovered_at = serializers.CharField(
            required=False, allow_blank=True, default="", help_text="发现时间（ISO 8601，必填，不晚于现在）"
        )
        what = serializers.CharField()
        region = serializers.CharField()
        headcount = serializers.IntegerField(min_value=0)
        measures = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(operation_id="reception_urgent_reports_list", responses=results_of(ReportOutput, "UrgentReportList"))
    def get(self, request):
        qs = selectors.urgent_reports_for(request.user).prefetch_related(
            "reported_to_users", "reported_to_units", "notices__organ", "notices__report", "notes__by"
        )[:200]
        return Response({"results": ReportOutput(qs, many=True).data})

    @extend_schema(request=InputSerializer, responses={201: ReportOutput})
    def post(self, request):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        region = inputs.by_code(Region, d["region"], "region", "地点")
        report = services.urgent_report_create(
            actor=request.user,
            what=d["what"],
            region=region,
            headcount=d["headcount"],
            measures=d["measures"],
            discovered_at=d["discovered_at"],
        )
        return Response(ReportOutput(report).data, status=status.HTTP_201_CREATED)


class UrgentReportDetailApi(APIView):
    @extend_schema(responses=ReportOutput)
    def get(self, request, pk: int):
        return Response(ReportOutput(selectors.get_urgent_report(request.user, pk)).data)


class UrgentReportSendApi(APIView):
    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField()
        to_users = serializers.ListField(child=serializers.CharField(), required=False, default=list)
        to_units = serializers.ListField(child=serializers.CharField(), required=False, default=list)
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=ReportOutput)
    def post(self, request, pk: int):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        selectors.get_urgent_report(request.user, pk)
        users = list(User.objects.filter(username__in=d["to_users"], is_active=True))
        units = list(Unit.objects.filter(code__in=d["to_units"]))
        if len(users) != len(set(d["to_users"])) or len(units) != len(set(d["to_units"])):
            raise InvalidInput("报告对象不存在", fields={"to_users": ["报告对象不存在"]})
        report = services.urgent_report_send(
            actor=request.user, pk=pk, to_users=users, to_units=units, note=d["note"], version=d["version"]
        )
        return Response(ReportOutput(report).data)


class UrgentReportAckApi(APIView):
    @extend_schema(request=None, responses=ReportOutput)
    def post(self, request, pk: int):
        return Response(ReportOutput(services.urgent_report_acknowledge(actor=request.user, pk=pk)).data)


class UrgentReportTellApi(APIView):
    """POST: one organ told (a unit code, or the name of an organ outside the tree), when and how."""

    class InputSerializer(serializers.Serializer):
        organ = serializers.CharField(required=False, allow_blank=True, default="")
        organ_name = serializers.CharField(required=False, allow_blank=True, default="")
        told_at = serializers.CharField(required=False, allow_blank=True, default="")
        method = serializers.CharField(required=False, default="phone")
        contact = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(summary="记录紧急报告已报告某单位（时间、方式、接报人）", request=InputSerializer, responses={201: NoticeOutput})
    def post(self, request, pk: int):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        selectors.get_urgent_report(request.user, pk)
        organ = inputs.unit(d["organ"], "organ", "报告对象单位") if d["organ"] else None
        notice = services.urgent_report_tell(
            actor=request.user,
            pk=pk,
            organ=organ,
            organ_name=d["organ_name"],
            told_at=d["told_at"],
            method=d["method"],
            contact=d["contact"],
        )
        return Response(NoticeOutput(notice).data, status=status.HTTP_201_CREATED)


class UrgentReportNoteApi(APIView):
    """POST: a 临时紧急防控措施 / 劝解疏导 / 安抚 note on the report."""

    class InputSerializer(serializers.Serializer):
        kind = serializers.CharField()
        text = serializers.CharField(allow_blank=True)
        at = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(summary="记录紧急报告的临时措施、劝解疏导或安抚工作", request=InputSerializer, responses={201: NoteOutput})
    def post(self, request, pk: int):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        selectors.get_urgent_report(request.user, pk)
        note = services.urgent_report_note(actor=request.user, pk=pk, kind=d["kind"], text=d["text"], at=d["at"])
        return Response(NoteOutput(note).data, status=status.HTTP_201_CREATED)


class FiguresApi(APIView):
    """GET ?start=&end=: 首问 per unit and the collective-visit figures (the office, leaders and viewers)."""

    class OutputSerializer(serializers.Serializer):
        first_receipts = serializers.ListField(child=serializers.DictField())
        collective = serializers.DictField()

    @extend_schema(summary="接待统计：首问责任按单位计数，集体访批次与单位领导到场用时", responses=OutputSerializer)
    def get(self, request):
        from xinfang.org.models import Role
        from xinfang.reception import collective, first_receipts

        if not (services.is_manager(request.user) or request.user.has_role(Role.VIEWER)):
            raise NoPermission("无权查看接待统计")
        today = timezone.localdate()
        start, end = _dates(
            {
                "start": request.query_params.get("start") or today.replace(day=1).isoformat(),
                "end": request.query_params.get("end") or today.isoformat(),
            }
        )
        return Response(
            {"first_receipts": first_receipts.per_unit(start=start, end=end), "collective": collective.figures(start=start, end=end)}
        )


class ReceptionDayListApi(APIView):
    """GET ?start=&end=: reception days (staff view, with the leader). POST: generate the Wednesdays of a range."""

    class InputSerializer(serializers.Serializer):
        unit = serializers.CharField()
        start = serializers.DateField()
        end = serializers.DateField()
        place = serializers.CharField(max_length=100)
        leader = serializers.CharField(required=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        date = serializers.DateField()
        unit = serializers.CharField(source="unit.code")
        place = serializers.CharField()
        leader = serializers.CharField(source="leader.username", allow_null=True, default=None)
        note = serializers.CharField()

    @extend_schema(responses=results_of(OutputSerializer, "ReceptionDayList"))
    def get(self, request):
        if not services.is_manager(request.user):
            raise NoPermission("无权查看接待日安排")
        start, end = _dates(request.query_params)
        return Response({"results": self.OutputSerializer(selectors.reception_days(start=start, end=end), many=True).data})

    @extend_schema(request=InputSerializer, responses={201: results_of(OutputSerializer, "ReceptionDaysCreated")})
    def post(self, request):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        unit = inputs.unit(d["unit"], "unit", "单位")
        leader = inputs.user(d["leader"], "leader", "接访领导") if d.get("leader") else None
        made = services.reception_days_generate(
            actor=request.user, unit=unit, start=d["start"], end=d["end"], place=d["place"], leader=leader
        )
        return Response({"results": self.OutputSerializer(made, many=True).data}, status=status.HTTP_201_CREATED)


class DutyShiftApi(APIView):
    """GET ?start=&end=: the roster. POST: set one unit's duty for one day."""

    class InputSerializer(serializers.Serializer):
        unit = serializers.CharField()
        date = serializers.DateField()
        kind = serializers.ChoiceField(choices=ShiftKind.choices)
        officer = serializers.CharField(required=False, allow_blank=True)
        phone = serializers.CharField(required=False, allow_blank=True, default="")
        leader_on_call = serializers.CharField(required=False, allow_blank=True)
        leader_phone = serializers.CharField(required=False, allow_blank=True, default="")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        date = serializers.DateField()
        kind = serializers.CharField()
        unit = serializers.CharField(source="unit.code")
        officer = serializers.CharField(source="officer.username", allow_null=True, default=None)
        phone = serializers.CharField()
        leader_on_call = serializers.CharField(source="leader_on_call.username", allow_null=True, default=None)
        leader_phone = serializers.CharField()

    @extend_schema(responses=results_of(OutputSerializer, "DutyShiftList"))
    def get(self, request):
        if not services.is_manager(request.user):
            raise NoPermission("无权查看值班安排")
        start, end = _dates(request.query_params)
        return Response({"results": self.OutputSerializer(selectors.duty_roster(start=start, end=end), many=True).data})

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data

        def user(field, label):
            return inputs.user(d[field], field, label) if d.get(field) else None

        shift = services.duty_shift_save(
            actor=request.user,
            unit=inputs.unit(d["unit"], "unit", "单位"),
            date_=d["date"],
            kind=d["kind"],
            officer=user("officer", "值班人员"),
            phone=d["phone"],
            leader_on_call=user("leader_on_call", "带班领导"),
            leader_phone=d["leader_phone"],
        )
        return Response(self.OutputSerializer(shift).data)


class MeetingApi(APIView):
    """GET ?year=: meetings. POST: record one (decisions may link petitions by reg_no)."""

    class InputSerializer(serializers.Serializer):
        unit = serializers.CharField()
        date = serializers.DateField()
        chair = serializers.CharField(max_length=64)
        attendees = serializers.CharField()
        issues = serializers.CharField()
        decisions = serializers.CharField()
        follow_up_owners = serializers.CharField(required=False, allow_blank=True, default="")
        petitions = serializers.ListField(child=serializers.CharField(), required=False, default=list)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        unit = serializers.CharField(source="unit.code")
        date = serializers.DateField()
        chair = serializers.CharField()
        attendees = serializers.CharField()
        issues = serializers.CharField()
        decisions = serializers.CharField()
        follow_up_owners = serializers.CharField()
        petitions = serializers.SerializerMethodField()

        def get_petitions(self, obj) -> list[str]:
            return [p.reg_no for p in obj.petitions.all()]

    @extend_schema(responses=results_of(OutputSerializer, "MeetingList"))
    def get(self, request):
        if not services.is_manager(request.user):
            raise NoPermission("无权查看信访工作会议")
        raw = request.query_params.get("year") or ""
        year = int(raw) if raw.isdigit() else timezone.localdate().year
        return Response({"results": self.OutputSerializer(selectors.meetings(year=year), many=True).data})

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        meeting = services.meeting_record(
            actor=request.user,
            unit=inputs.unit(d["unit"], "unit", "单位"),
            date_=d["date"],
            chair=d["chair"],
            attendees=d["attendees"],
            issues=d["issues"],
            decisions=d["decisions"],
            follow_up_owners=d["follow_up_owners"],
            reg_nos=d["petitions"],
        )
        return Response(self.OutputSerializer(meeting).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("reception/days/upcoming/", UpcomingDaysApi.as_view(), name="api-reception-upcoming"),
    path("reception/warnings/", WarningsApi.as_view(), name="api-reception-warnings"),
    path("reception/figures/", FiguresApi.as_view(), name="api-reception-figures"),
    path("reception/days/", ReceptionDayListApi.as_view(), name="api-reception-days"),
    path("reception/duty/", DutyShiftApi.as_view(), name="api-reception-duty"),
    path("reception/meetings/", MeetingApi.as_view(), name="api-reception-meetings"),
    path("reception/urgent-reports/", UrgentReportListApi.as_view(), name="api-urgent-reports"),
    path("reception/urgent-reports/<int:pk>/", UrgentReportDetailApi.as_view(), name="api-urgent-report"),
    path("reception/urgent-reports/<int:pk>/send/", UrgentReportSendApi.as_view(), name="api-urgent-report-send"),
    path("reception/urgent-reports/<int:pk>/acknowledge/", UrgentReportAckApi.as_view(), name="api-urgent-report-ack"),
    path("reception/urgent-reports/<int:pk>/notices/", UrgentReportTellApi.as_view(), name="api-urgent-report-tell"),
    path("reception/urgent-reports/<int:pk>/notes/", UrgentReportNoteApi.as_view(), name="api-urgent-report-note"),
]
