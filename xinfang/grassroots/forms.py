"""Page forms: shape and presence only; the rules are in services.py."""

from django import forms
from django.utils import timezone

from xinfang.grassroots.models import DisputeKind, DisputeLevel, DisputeParty, PublicityForm, ReportKind, RiskLevel, Urgency
from xinfang.org.models import Region, RegionLevel
from xinfang.petitions.models import Category, Channel, Nature


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.level == RegionLevel.GROUP:
            return f"{obj.parent.name}·{obj.name}"
        if obj.level == RegionLevel.VILLAGE:
            return f"{obj.parent.name}·{obj.name}"
        return obj.name


def _regions(queryset):
    return RegionChoiceField(queryset=queryset.select_related("parent"), label="地点", empty_label="请选择村/组")


class ReportForm(forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), label="地点", empty_label="请选择")
    kind = forms.ChoiceField(label="类型", choices=ReportKind.choices, initial=ReportKind.CONCERN)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL, widget=forms.RadioSelect)
    text = forms.CharField(
        label="内容",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "群众反映的事项、地点、涉及人数、已采取的措施"}),
    )
    headcount = forms.IntegerField(label="涉及人数", min_value=0, max_value=100000, required=False, initial=0)
    photo = forms.FileField(
        label="照片（可选，JPG/PNG，5MB以内）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = _regions(regions)


class PartyFields(forms.Form):
    side = forms.ChoiceField(label="当事方", choices=DisputeParty.Side.choices, required=False)
    name = forms.CharField(label="姓名", max_length=64, required=False)
    phone = forms.CharField(label="电话", max_length=20, required=False)
    id_number = forms.CharField(label="身份证号", max_length=20, required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)


class DisputeForm(forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), label="发生地", empty_label="请选择")
    kind = forms.ChoiceField(label="纠纷类型", choices=DisputeKind.choices)
    risk = forms.ChoiceField(label="事项风险等级", choices=RiskLevel.choices, initial=RiskLevel.LOW)
    level = forms.ChoiceField(label="受理层级", choices=DisputeLevel.choices, initial=DisputeLevel.VILLAGE)
    description = forms.CharField(label="纠纷简要情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    mediator = forms.CharField(label="调解人", max_length=64, required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = _regions(regions)
        self.fields["region"].label = "发生地"


def party_forms(data=None, count=2):
    return [PartyFields(data, prefix=f"p{i}", initial={"side": "applicant" if i == 0 else "respondent"}) for i in range(count)]


class SessionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    held_on = forms.DateField(
        label="调解日期", initial=timezone.localdate, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    place = forms.CharField(label="地点", max_length=100, required=False)
    mediator = forms.CharField(label="调解人", max_length=64)
    participants = forms.CharField(label="参加人员", max_length=300)
    summary = forms.CharField(label="调解情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    agreement_reached = forms.BooleanField(label="达成调解协议", required=False)
    agreement_terms = forms.CharField(
        label="协议内容（每行一条）", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class PetitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(label="信访渠道", choices=Channel.choices, initial=Channel.VISIT)
    nature = forms.ChoiceField(label="信访性质", choices=Nature.choices, initial=Nature.REQUEST)
    category = forms.ModelChoiceField(label="问题类别", queryset=Category.objects.filter(active=True), empty_label="请选择")
    requests = forms.CharField(label="诉求", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ScreeningForm(forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), label="排查区域", empty_label="请选择")
    held_on = forms.DateField(
        label="排查日期", initial=timezone.localdate, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    conducted_by = forms.CharField(label="排查人员", max_length=200)
    places = forms.CharField(label="排查范围（村组、场所）", max_length=300)
    none_found = forms.BooleanField(label="本次未发现矛盾纠纷", required=False)
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionChoiceField(queryset=regions.select_related("parent"), label="排查区域", empty_label="请选择乡镇/村")


class PublicityRecordForm(forms.Form):
    village = forms.ModelChoiceField(queryset=Region.objects.none(), label="村", empty_label="请选择")
    held_on = forms.DateField(label="日期", initial=timezone.localdate, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    form = forms.ChoiceField(label="形式", choices=PublicityForm.choices)
    place = forms.CharField(label="地点", max_length=100, required=False)
    audience = forms.IntegerField(label="受众人数", min_value=0, max_value=100000)
    materials = forms.CharField(label="资料/内容", max_length=300, required=False, initial="《信访工作条例》宣传")

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"] = RegionChoiceField(queryset=regions.select_related("parent"), label="村", empty_label="请选择村")
