"""Forms of the organization pages: they parse input; the rules live in services.py."""

from datetime import date

from django import forms

from xinfang.org.models import LeadingGroupMember, PostRole, Region, RegionLevel, SupervisionGroup, Unit, UnitKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        names, node = [obj.name], obj
        while node.level not in (RegionLevel.TOWNSHIP, RegionLevel.COUNTY) and node.parent_id:  # stops at the township: no extra query
            node = node.parent
            names.append(node.name)
        return f"{''.join(reversed(names))}（{obj.code}）"


class RegionMultiChoice(forms.ModelMultipleChoiceField):
    label_from_instance = RegionChoice.label_from_instance


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Unit names are what people know; the code (dept-hr) means nothing to a clerk.
        return obj.name


def _villages():
    return Region.objects.filter(level=RegionLevel.VILLAGE).select_related("parent__parent").order_by("code")


FIELDS_BY_ROLE = {
    PostRole.SUPERVISOR: [
        "supervision_group",
        "home_unit",
        "name",
        "phone",
        "birth_date",
        "selected_on",
        "trained_on",
        "start_on",
        "end_on",
        "note",
    ],
    PostRole.HANDLER: ["home_unit", "villages", "name", "phone", "start_on", "note"],
    PostRole.LIAISON: ["region", "name", "phone", "start_on", "note"],
    PostRole.INFO_OFFICER: ["region", "name", "phone", "start_on", "note"],
    PostRole.SAFETY_OFFICER: ["school", "name", "phone", "start_on", "note"],
}


class NetworkPostForm(forms.Form):
    """One form for every post; `role` decides which fields it has."""

    supervision_group = forms.ModelChoiceField(
        label="督查组", queryset=SupervisionGroup.objects.order_by("code"), to_field_name="code", empty_label="请选择督查组"
    )
    home_unit = UnitChoice(label="原单位", queryset=Unit.objects.none(), to_field_name="code", empty_label="请选择单位")
    region = RegionChoice(label="负责区域", queryset=Region.objects.none(), to_field_name="code", empty_label="请选择")
    villages = RegionMultiChoice(label="包联村（可多选）", queryset=Region.objects.none(), to_field_name="code")
    school = UnitChoice(
        label="学校",
        queryset=Unit.objects.filter(kind=UnitKind.SCHOOL, active=True).order_by("code"),
        to_field_name="code",
        empty_label="请选择学校",
    )
    name = forms.CharField(label="姓名", max_length=64)
    phone = forms.CharField(label="电话", max_length=32, required=False)
    birth_date = forms.DateField(label="出生日期", widget=DATE, help_text="选调时年龄不得超过规定上限")
    selected_on = forms.DateField(label="选调日期", widget=DATE, required=False, help_text="空则按上岗日期计算年龄")
    trained_on = forms.DateField(label="岗前培训日期", widget=DATE, required=False, help_text="须先完成岗前培训方可上岗")
    start_on = forms.DateField(label="上岗日期", widget=DATE, initial=date.today)
    end_on = forms.DateField(label="期满日期", widget=DATE, required=False, help_text="空则按抽调期限（默认一年）计算")
    username = forms.CharField(
        label="登录账号（可空）", max_length=150, required=False, help_text="本人有系统账号时填写，登录后首页显示“我的岗位”"
    )
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.role = role
        keep = [*FIELDS_BY_ROLE[role], "username"]
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if role == PostRole.SUPERVISOR:
            self.fields["home_unit"].queryset = Unit.objects.filter(kind=UnitKind.DEPARTMENT, active=True).order_by("code")
            self.fields["home_unit"].label = "原单位（县直部门）"
        if role == PostRole.HANDLER:
            self.fields["home_unit"].queryset = (
                Unit.objects.filter(kind=UnitKind.TOWNSHIP, active=True).select_related("region").order_by("code")
            )
            self.fields["home_unit"].label = "所在乡镇"
            self.fields["villages"].queryset = _villages()
        if role == PostRole.LIAISON:
            self.fields["region"].queryset = _villages()
            self.fields["region"].label = "行政村/社区"
        if role == PostRole.INFO_OFFICER:
            self.fields["region"].queryset = (
                Region.objects.filter(level=RegionLevel.GROUP).select_related("parent__parent").order_by("code")
            )
            self.fields["region"].label = "村民小组"

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class EndPostForm(forms.Form):
    ended_on = forms.DateField(label="离岗日期", widget=DATE, initial=date.today)
    reason = forms.CharField(label="离岗原因", max_length=100, required=False, help_text="如：调动、期满、辞去")


class TrainingForm(forms.Form):
    trained_on = forms.DateField(label="岗前培训日期", widget=DATE, initial=date.today)


class AddTownshipForm(forms.Form):
    group = forms.ModelChoiceField(
        label="督查组", queryset=SupervisionGroup.objects.order_by("code"), to_field_name="code", empty_label="请选择督查组"
    )
    township = forms.ModelChoiceField(
        label="乡镇/街道",
        queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP, supervision_groups__isnull=True).order_by("code"),
        to_field_name="code",
        empty_label="请选择乡镇",
    )


class LeadingGroupMemberForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=64)
    post = forms.CharField(label="职务", max_length=64, required=False)
    position = forms.ChoiceField(label="职位", choices=LeadingGroupMember.Position.choices, initial=LeadingGroupMember.Position.MEMBER)
    username = forms.CharField(label="登录账号（可空）", max_length=150, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）", help_text="不超过 10 MB")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件")
        if f.size > 10 * 1024 * 1024:
            raise forms.ValidationError("文件超过 10 MB，请分批导入")
        return f
