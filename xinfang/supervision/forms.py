"""Page forms: they only parse and type the input; the rules are in services.py."""

from django import forms

from xinfang.org.models import Region, Unit
from xinfang.supervision.models import Matter, OrderForm


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class OrderIssueForm(forms.Form):
    reg_no = forms.CharField(label="登记编号", max_length=40, error_messages={"required": "请填写登记编号"})
    form = forms.ChoiceField(label="督办方式", choices=OrderForm.choices)
    unit = forms.ModelChoiceField(
        label="被督办单位（默认为承办单位）", queryset=Unit.objects.filter(active=True), required=False, empty_label="默认：承办单位"
    )
    answer_due_at = forms.DateTimeField(
        label="答复期限",
        widget=DateTimeInput(format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
        error_messages={"required": "请填写答复期限", "invalid": "请填写正确的日期和时间"},
    )
    requirements = forms.CharField(
        label="督办要求", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, error_messages={"required": "请填写督办要求"}
    )


class AnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(
        label="答复内容", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, error_messages={"required": "请填写答复内容"}
    )


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="办结意见", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class UrgeForm(forms.Form):
    reg_no = forms.CharField(widget=forms.HiddenInput)
    order = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label="催办内容", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AccountabilityForm(forms.Form):
    unit = forms.ModelChoiceField(label="责任单位", queryset=Unit.objects.filter(active=True), empty_label="请选择")
    person_name = forms.CharField(label="责任人", max_length=64)
    matter = forms.ChoiceField(label="事由", choices=Matter.choices)
    reg_no = forms.CharField(label="相关信访件登记编号（可选）", max_length=40, required=False)
    facts = forms.CharField(label="事实经过", widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.CharField(label="处理决定", widget=forms.Textarea(attrs={"rows": 2}))


class InspectionForm(forms.Form):
    township = forms.ModelChoiceField(label="乡镇", queryset=Region.objects.none(), empty_label="请选择")
    date = forms.DateField(label="督查日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    findings = forms.CharField(label="发现问题", widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(label="跟进措施", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, townships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships if townships is not None else Region.objects.none()
