from django import forms

from xinfang.safety.models import Importance, Recognition, ReportingFailure, SafetyCategory, SafetyChannel


class SafetyReportForm(forms.Form):
    category = forms.ChoiceField(label="信息类别", choices=SafetyCategory.choices, widget=forms.RadioSelect)
    channel = forms.ChoiceField(label="传递方式", choices=SafetyChannel.choices, initial=SafetyChannel.WRITTEN, widget=forms.RadioSelect)
    importance = forms.ChoiceField(label="重要程度", choices=Importance.choices, initial=Importance.NORMAL, widget=forms.RadioSelect)
    content = forms.CharField(
        label="内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 4, "placeholder": "时间、地点、情况、建议"})
    )


class RecognitionForm(forms.Form):
    post_id = forms.TypedChoiceField(label="安全信息员", coerce=int)
    kind = forms.ChoiceField(label="类型", choices=Recognition.Kind.choices)
    report_id = forms.IntegerField(label="相关信息编号（奖励时填写）", required=False)
    reason = forms.CharField(label="事由", max_length=300)

    def __init__(self, *args, posts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post_id"].choices = [(p.pk, p.name) for p in posts]


class FailureForm(forms.Form):
    post_id = forms.TypedChoiceField(label="安全信息员", coerce=int)
    hazard = forms.CharField(label="未报告的不安全因素/事故", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    known_on = forms.DateField(label="知悉日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    decision = forms.ChoiceField(label="学校决定", choices=ReportingFailure.Decision.choices)
    decision_text = forms.CharField(label="决定说明", max_length=300, required=False)

    def __init__(self, *args, posts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post_id"].choices = [(p.pk, p.name) for p in posts]
