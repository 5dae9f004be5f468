"""Page forms: parse and type the input only; rules live in services.py."""

from django import forms

from xinfang.org.models import Region, RegionLevel, Role, Unit, UnitKind, User
from xinfang.reception.models import DutyLogEntry, ShiftKind


def leaders():
    return User.objects.filter(is_active=True, groups__name=Role.LEADER).distinct().order_by("username")


def staff():
    return User.objects.filter(is_active=True).exclude(unit__isnull=True).order_by("username")


class DateInput(forms.DateInput):
    """HTML date input: the value must be ISO (YYYY-MM-DD) whatever the locale's display format."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's argument name
        super().__init__(attrs, format=format or "%Y-%m-%d")


class GenerateDaysForm(forms.Form):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.filter(active=True), empty_label="请选择")
    start = forms.DateField(label="开始日期", widget=DateInput)
    end = forms.DateField(label="结束日期", widget=DateInput)
    place = forms.CharField(label="接待地点", max_length=100)
    leader = forms.ModelChoiceField(label="接访领导（可稍后逐日安排）", queryset=leaders(), required=False, empty_label="暂不安排")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders()


class DayForm(forms.Form):
    leader = forms.ModelChoiceField(label="接访领导", queryset=User.objects.none(), required=False, empty_label="暂不安排")
    place = forms.CharField(label="地点", max_length=100)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders()


class ShiftForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="单位", queryset=Unit.objects.filter(active=True, kind__in=[UnitKind.PETITION_BUREAU, UnitKind.SCHOOL]), empty_label="请选择"
    )
    date = forms.DateField(label="日期", widget=DateInput)
    kind = forms.ChoiceField(label="类型", choices=ShiftKind.choices)
    officer = forms.ModelChoiceField(label="值班人员", queryset=User.objects.none(), required=False, empty_label="暂不安排")
    phone = forms.CharField(label="24小时值班电话", max_length=32, required=False)
    leader_on_call = forms.ModelChoiceField(label="带班领导", queryset=User.objects.none(), required=False, empty_label="暂不安排")
    leader_phone = forms.CharField(label="带班领导电话", max_length=32, required=False)

    def __init__(self, *args, **kwargs):
        from xinfang.reception.selectors import duty_units

        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = duty_units()
        self.fields["officer"].queryset = staff()
        self.fields["leader_on_call"].queryset = staff()


class LogForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=DutyLogEntry.Kind.choices)
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}))


class MeetingForm(forms.Form):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.filter(active=True), empty_label="请选择")
    date = forms.DateField(label="会议日期", widget=DateInput)
    chair = forms.CharField(label="主持人", max_length=64)
    attendees = forms.CharField(label="参会人员", widget=forms.Textarea(attrs={"rows": 2}))
    issues = forms.CharField(label="研究的热点难点问题", widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(label="议定事项", widget=forms.Textarea(attrs={"rows": 3}))
    follow_up_owners = forms.CharField(label="落实责任人", required=False)
    reg_nos = forms.CharField(label="相关信访件登记编号（逗号分隔，可选）", required=False)


class DateTimeInput(forms.DateTimeInput):
    """HTML datetime-local input (the value is the site's local time, to the minute)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's argument name
        super().__init__(attrs, format=format or "%Y-%m-%dT%H:%M")


def moment_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=help_text,
        error_messages={"required": f"请填写{label}", "invalid": f"{label}格式不正确"},
    )


class UrgentForm(forms.Form):
    discovered_at = moment_field("发现时间（15分钟从此时起算）")
    what = forms.CharField(label="事由（发生了什么）", widget=forms.Textarea(attrs={"rows": 3}))
    region = forms.ModelChoiceField(
        label="地点",
        queryset=Region.objects.filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]).order_by("path"),
        empty_label="请选择县、乡镇或村",
    )
    headcount = forms.IntegerField(label="人数", min_value=0, max_value=100000, initial=0)
    measures = forms.CharField(label="已采取的临时措施", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class TellForm(forms.Form):
    organ = forms.ModelChoiceField(
        label="报告对象（系统内单位）", queryset=Unit.objects.filter(active=True), required=False, empty_label="—"
    )
    organ_name = forms.CharField(label="或系统外报告对象（如：某镇教办）", max_length=100, required=False)
    told_at = moment_field("报告时间（不填为现在）", required=False)
    method = forms.ChoiceField(label="方式", choices=[])
    contact = forms.CharField(label="接报人", max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        from xinfang.reception.models import NoticeMethod

        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [c for c in NoticeMethod.choices if c[0] != NoticeMethod.SYSTEM]


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=[])
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 2}))
    at = moment_field("时间（不填为现在）", required=False)

    def __init__(self, *args, **kwargs):
        from xinfang.reception.models import UrgentNote

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = UrgentNote.Kind.choices


class SendForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to_users = forms.ModelMultipleChoiceField(
        label="报告对象（领导）", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    to_units = forms.ModelMultipleChoiceField(
        label="报告对象（单位）",
        queryset=Unit.objects.filter(active=True, kind__in=[UnitKind.PETITION_BUREAU, UnitKind.JOINT_OFFICE, UnitKind.COUNTY_LEADERSHIP]),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label="报告方式及内容（如：电话报告县信访局值班室）", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_users"].queryset = leaders()


class MobiliseForm(forms.Form):
    members = forms.MultipleChoiceField(label="成员", required=False, widget=forms.CheckboxSelectMultiple)
    resources = forms.MultipleChoiceField(label="车辆、物资、经费", required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="说明", required=False)

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        if group is not None:
            self.fields["members"].choices = [
                (m.pk, f"{m.name}（{m.duty}）" if m.duty else m.name) for m in group.members.all() if m.active
            ]
            self.fields["resources"].choices = [
                (r.pk, f"{r.get_kind_display()}：{r.name} {r.quantity}") for r in group.resources.all() if r.active
            ]


class ResponseForm(forms.Form):
    plan = forms.ModelChoiceField(label="处置预案", queryset=None, required=False, empty_label="不使用预案")
    representatives = forms.CharField(label="代表（不超过5人，用顿号分隔）", max_length=200, required=False)
    outcome = forms.CharField(label="处置结果", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        from xinfang.reception.models import ResponsePlan

        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = ResponsePlan.objects.order_by("unit__code", "visit_type")


class ArrivalForm(forms.Form):
    response = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="到场人员", max_length=64, error_messages={"required": "请填写到场人员姓名"})
    is_unit_leader = forms.BooleanField(label="单位主要领导", required=False)


class GroupForm(forms.Form):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.filter(active=True), empty_label="请选择", required=False)
    name = forms.CharField(label="工作组名称", max_length=100)


class MemberForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=64)
    duty = forms.CharField(label="分工", max_length=64, required=False)
    phone = forms.CharField(label="电话", max_length=32, required=False)
    user = forms.ModelChoiceField(label="系统账号（可调度通知）", queryset=User.objects.none(), required=False, empty_label="无")
    active = forms.BooleanField(label="在组", required=False, initial=True)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("username")


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=[])
    name = forms.CharField(label="名称", max_length=100)
    quantity = forms.CharField(label="数量", max_length=32, required=False)
    keeper = forms.CharField(label="保管人/联系方式", max_length=64, required=False)
    active = forms.BooleanField(label="可用", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        from xinfang.reception.models import EmergencyResource

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = EmergencyResource.Kind.choices


class RuleForm(forms.Form):
    organs = forms.ModelMultipleChoiceField(
        label="报告对象（系统内单位，如县教育局信访办）",
        queryset=Unit.objects.filter(active=True).exclude(kind__in=[UnitKind.SCHOOL, UnitKind.VILLAGE_COMMITTEE]).order_by("kind", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    external_organs = forms.CharField(
        label="系统外报告对象（每行一个，如：某镇教办）", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class FirstReceiptForm(forms.Form):
    brought_at = moment_field("引领到信访办的时间（不填为现在）", required=False)
    place = forms.CharField(label="在何处被问到（如：局大门口、三楼走廊）", max_length=100, required=False)
    matter = forms.CharField(label="来访事由（简要）", max_length=200, required=False)
    headcount = forms.IntegerField(label="来访人数", min_value=1, max_value=100000, initial=1, required=False)


class PlanForm(forms.Form):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.filter(active=True), empty_label="请选择")
    visit_type = forms.CharField(label="集体访类型（如：欠薪、征地拆迁）", max_length=64)
    title = forms.CharField(label="预案名称", max_length=100)
    steps = forms.CharField(label="处置步骤（先控制再化解）", widget=forms.Textarea(attrs={"rows": 4}))
    checklist = forms.CharField(
        label="处置清单（每行一项，登记集体访时逐项落实）", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    active = forms.BooleanField(label="在用", required=False, initial=True)


class AwayForm(forms.Form):
    leaves_on = forms.DateField(label="外出日期", widget=DateInput)
    returns_on = forms.DateField(label="返校日期", widget=DateInput)
    purpose = forms.CharField(label="外出事由及去向", max_length=200)
    acting = forms.CharField(label="外出期间负责人及电话", max_length=100)
    reported_to = forms.CharField(label="报告对象（教办）", max_length=100, required=False)
    reported_at = moment_field("报告时间（不填为现在）", required=False)
