"""Forms of the access pages (input shape only; rules live in services.py)."""

from django import forms

from xinfang.access.models import IdentityField
from xinfang.org.models import Unit, User


class AccessLogFilterForm(forms.Form):
    user = forms.CharField(label="查看人（用户名或姓名）", required=False, max_length=150)
    petition = forms.CharField(label="登记编号", required=False, max_length=40)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data


class GrantForm(forms.Form):
    grantee_user = forms.ModelChoiceField(
        label="授权给人员", queryset=User.objects.none(), required=False, empty_label="（不选）", help_text="与“授权给单位”二选一"
    )
    grantee_unit = forms.ModelChoiceField(label="授权给单位", queryset=Unit.objects.none(), required=False, empty_label="（不选）")
    fields = forms.MultipleChoiceField(
        label="可见字段", choices=IdentityField.choices, widget=forms.CheckboxSelectMultiple, initial=list(IdentityField.values)
    )
    reason = forms.CharField(
        label="授权理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, help_text="必填，将记入信访件历史"
    )
    expires_at = forms.DateTimeField(
        label="有效期至（可不填）", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )

    def __init__(self, *args, users=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grantee_user"].queryset = users if users is not None else User.objects.none()
        self.fields["grantee_user"].label_from_instance = lambda u: f"{u.display_name}（{u.unit.name if u.unit_id else ''}）"
        self.fields["grantee_unit"].queryset = units if units is not None else Unit.objects.none()


class RevokeForm(forms.Form):
    reason = forms.CharField(label="撤销理由", max_length=500)


class MatchForm(forms.Form):
    respondent = forms.IntegerField(widget=forms.HiddenInput)
    user = forms.IntegerField(widget=forms.HiddenInput)
