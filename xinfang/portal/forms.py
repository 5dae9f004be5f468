"""Portal forms: field shapes only. The rules (identity, confidentiality, attachments) are the
lifecycle's `petition_register`, called through `services.portal_submit`."""

from django import forms

from xinfang.messaging.texts import REFUSE_MESSAGES_LABEL
from xinfang.org.models import Region, RegionLevel
from xinfang.petitions.models import Category, Nature, Satisfaction


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(d, initial) for d in items]


def region_choices():
    rows = Region.objects.filter(level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]).select_related("parent").order_by("path")
    groups: dict[str, list] = {}
    for r in rows:
        township = r if r.level == RegionLevel.TOWNSHIP else r.parent
        label = "（全乡镇/街道）" + r.name if r.level == RegionLevel.TOWNSHIP else r.name
        groups.setdefault(township.name, []).append((r.code, label))
    return [("", "请选择问题发生地")] + list(groups.items())


class SubmitForm(forms.Form):
    nature = forms.ChoiceField(label="信访性质", choices=[("", "请选择")] + list(Nature.choices))
    category = forms.ChoiceField(label="问题类别")
    region = forms.ChoiceField(label="问题发生地")
    content = forms.CharField(label="主要问题", widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)
    requests = forms.CharField(label="您的诉求", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)
    anonymous = forms.BooleanField(label="匿名反映（不填写姓名，将无法通知您办理结果，但可凭查询码查询）", required=False)
    name = forms.CharField(label="姓名", required=False, max_length=64)
    id_number = forms.CharField(label="身份证号（选填）", required=False, max_length=18)
    phone = forms.CharField(label="联系电话", required=False, max_length=20)
    address = forms.CharField(label="住址（选填）", required=False, max_length=200)
    confidential = forms.BooleanField(label="要求对我的身份保密", required=False)
    refuse_messages = forms.BooleanField(label=REFUSE_MESSAGES_LABEL, required=False)
    public_consent = forms.ChoiceField(
        label="可否公开",
        choices=[("no", "不同意公开"), ("yes", "同意在去除个人信息后公开事项摘要和处理结果")],
        initial="no",
        widget=forms.RadioSelect,
    )
    attachments = MultipleFileField(label="附件（照片、PDF、录音、Word，选填）", required=False)

    field_map = {"petitioners": "name", "category": "category", "region": "region", "content": "content", "requests": "requests"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "请选择")] + list(Category.objects.filter(active=True).values_list("code", "name"))
        self.fields["region"].choices = region_choices()
        for name in ("name", "phone", "id_number"):
            self.fields[name].widget.attrs["autocomplete"] = {"name": "name", "phone": "tel", "id_number": "off"}[name]
        self.fields["phone"].widget.input_type = "tel"

    def add_domain_errors(self, exc) -> None:
        """Put the service's field errors next to the fields ("petitioners[0].phone" → phone)."""
        placed = False
        for key, messages in (exc.fields or {}).items():
            leaf = key.split(".")[-1]
            target = leaf if leaf in self.fields else self.field_map.get(key.split("[")[0])
            if target in self.fields:
                for m in messages if isinstance(messages, list) else [messages]:
                    self.add_error(target, m)
                placed = True
        if not placed:
            self.add_error(None, exc.message)


class LookupForm(forms.Form):
    reg_no = forms.CharField(label="登记编号", max_length=40)
    query_code = forms.CharField(label="查询码", max_length=16, widget=forms.TextInput(attrs={"autocomplete": "off"}))


class RecoverSendForm(forms.Form):
    reg_no = forms.CharField(label="登记编号", max_length=40)


class RecoverVerifyForm(forms.Form):
    reg_no = forms.CharField(label="登记编号", max_length=40)
    sms_code = forms.CharField(
        label="短信验证码", max_length=12, widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"})
    )


class EvaluateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    satisfaction = forms.ChoiceField(label="您对办理结果的评价", choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="意见（选填）", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=1000)


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class MineSendForm(forms.Form):
    phone = forms.CharField(label="手机号码", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))


class MineVerifyForm(forms.Form):
    phone = forms.CharField(label="手机号码", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    sms_code = forms.CharField(
        label="短信验证码", max_length=10, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"})
    )


class MaterialForm(forms.Form):
    attachments = MultipleFileField(label="补充材料", required=True)
    note = forms.CharField(label="补充说明（可不填）", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class MessagesForm(forms.Form):
    refused = forms.BooleanField(label="不接收短信告知（仍可在网上查看）", required=False)
