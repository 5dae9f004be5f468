"""Page forms. They only shape input; the rules (and the Chinese refusals) are in services.py."""

from django import forms
from django.utils import timezone

from xinfang.access import policy
from xinfang.messaging.texts import REFUSE_MESSAGES_LABEL
from xinfang.org.models import ABOVE_THE_COUNTY, Region, Role, Unit, User
from xinfang.petitions.action_inputs import INPUTS, Kind
from xinfang.petitions.models import Category, Channel, Nature, Status

MAX_REPS = 5
RESPONDENT_ROWS = 2


def region_choices():
    # A city or province held in the deployment (issue 13) is not where the county registers a petition.
    rows = Region.objects.exclude(level__in=ABOVE_THE_COUNTY).order_by("path").values_list("code", "name", "level")[:3000]
    indent = {"county": "", "township": "　", "village": "　　", "group": "　　　"}
    return [("", "请选择")] + [(code, f"{indent.get(level, '')}{name}") for code, name, level in rows]


class RegisterForm(forms.Form):
    channel = forms.ChoiceField(
        label="渠道", choices=Channel.choices, initial=Channel.VISIT, widget=forms.Select(attrs={"autofocus": True})
    )
    received_at = forms.DateTimeField(
        label="收到时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    anonymous = forms.BooleanField(label="匿名", required=False)
    name = forms.CharField(label="信访人姓名", required=False, max_length=64)
    id_number = forms.CharField(
        label="身份证号",
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "data-repeat-check": "1"}),
    )
    phone = forms.CharField(
        label="联系电话", required=False, max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "data-repeat-check": "1"})
    )
    address = forms.CharField(label="家庭住址", required=False, max_length=200)
    work_unit = forms.CharField(label="工作单位", required=False, max_length=100)
    nature = forms.ChoiceField(label="性质", choices=Nature.choices, initial=Nature.REQUEST)
    category = forms.ChoiceField(label="问题类别")
    region = forms.ChoiceField(label="问题发生地")
    content = forms.CharField(label="主要问题", widget=forms.Textarea(attrs={"rows": 5, "data-repeat-check": "1"}))
    requests = forms.CharField(label="诉求", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confidential = forms.ChoiceField(
        label="保密", choices=[("auto", "按性质（检举控告默认保密）"), ("yes", "保密"), ("no", "不保密")], initial="auto"
    )
    cross_level = forms.BooleanField(label="越级访", required=False)
    public_consent = forms.BooleanField(label="同意公开（隐去个人信息）", required=False)
    refuse_messages = forms.BooleanField(label=REFUSE_MESSAGES_LABEL, required=False)
    # Letter
    postmark_date = forms.DateField(label="邮戳日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # Visit
    headcount = forms.IntegerField(label="来访人数", min_value=1, initial=1, required=False)
    reception_leader = forms.ChoiceField(label="接访领导（领导接访日）", required=False)
    first_receipt = forms.ChoiceField(label="首问登记（其他工作人员引领来访时选择）", required=False)
    # From a superior
    superior_doc_no = forms.CharField(label="上级交办文号", required=False, max_length=64)
    superior_due_at = forms.DateField(label="上级要求报结日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    repeat_of = forms.CharField(label="关联原信访件（重复信访）", required=False, max_length=40)
    attachments = forms.FileField(label="附件（信件扫描、信封邮戳照片、录音）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "请选择")] + [
            (c.code, c.name) for c in Category.objects.filter(active=True).order_by("code")
        ]
        self.fields["region"].choices = region_choices()
        self.fields["reception_leader"].choices = [("", "无")] + [
            (str(u.pk), f"{u.display_name}（{u.post or '领导'}）")
            for u in User.objects.filter(groups__name=Role.LEADER, is_active=True).order_by("username")[:200]
        ]
        from xinfang.reception.first_receipts import open_receipts

        self.fields["first_receipt"].choices = [("", "无（本人首问）")] + [
            (str(r.pk), f"{timezone.localtime(r.brought_at):%m-%d %H:%M} {r.receiver.display_name}（{r.unit.name}）{r.matter}")
            for r in open_receipts()[:100]
        ]
        self.fields["received_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        self.fields["attachments"].widget.attrs["multiple"] = True
        for i in range(1, MAX_REPS + 1):
            self.fields[f"rep{i}_name"] = forms.CharField(label=f"代表{i}姓名", required=False, max_length=64)
            self.fields[f"rep{i}_phone"] = forms.CharField(label="电话", required=False, max_length=20)
            self.fields[f"rep{i}_id_number"] = forms.CharField(label="身份证号", required=False, max_length=18)
        for i in range(1, RESPONDENT_ROWS + 1):
            self.fields[f"resp{i}_name"] = forms.CharField(label=f"被反映人{i}姓名", required=False, max_length=64)
            self.fields[f"resp{i}_unit"] = forms.CharField(label="单位", required=False, max_length=100)
            self.fields[f"resp{i}_post"] = forms.CharField(label="职务", required=False, max_length=64)

    def rep_rows(self):
        return [(self[f"rep{i}_name"], self[f"rep{i}_phone"], self[f"rep{i}_id_number"]) for i in range(1, MAX_REPS + 1)]

    def has_reps(self) -> bool:
        return self.is_bound and any(self.data.get(f"rep{i}_name") for i in range(1, MAX_REPS + 1))

    def respondent_rows(self):
        return [(self[f"resp{i}_name"], self[f"resp{i}_unit"], self[f"resp{i}_post"]) for i in range(1, RESPONDENT_ROWS + 1)]

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        petitioners = []
        if any(d.get(k) for k in ("name", "id_number", "phone", "address", "work_unit")):
            petitioners.append({k: d.get(k) or "" for k in ("name", "id_number", "phone", "address", "work_unit")})
        reps = [
            {"name": d.get(f"rep{i}_name", ""), "phone": d.get(f"rep{i}_phone", ""), "id_number": d.get(f"rep{i}_id_number", "")}
            for i in range(1, MAX_REPS + 1)
        ]
        respondents = [
            {"name": d.get(f"resp{i}_name", ""), "unit": d.get(f"resp{i}_unit", ""), "post": d.get(f"resp{i}_post", "")}
            for i in range(1, RESPONDENT_ROWS + 1)
        ]
        confidential = {"auto": None, "yes": True, "no": False}[d.get("confidential") or "auto"]
        return {
            "channel": d["channel"],
            "received_at": d["received_at"],
            "petitioners": petitioners,
            "anonymous": d.get("anonymous", False),
            "nature": d["nature"],
            "content": d["content"],
            "requests": d.get("requests", ""),
            "confidential": confidential,
            "respondents": respondents,
            "headcount": d.get("headcount") or 1,
            "representatives": [r for r in reps if any(r.values())],
            "cross_level": d.get("cross_level", False),
            "public_consent": d.get("public_consent", False),
            "refuse_messages": d.get("refuse_messages", False),
            "postmark_date": d.get("postmark_date"),
            "superior_doc_no": d.get("superior_doc_no", ""),
            "superior_due_at": d.get("superior_due_at"),
            "reception_leader": d.get("reception_leader") if d["channel"] == Channel.VISIT else None,
            "first_receipt": d.get("first_receipt") or None,
        }

    @staticmethod
    def initial_from_query(query) -> dict:
        """?channel=visit&reception_leader=<user id> (the reception-day page links here)."""
        initial = {}
        if query.get("channel") in Channel.values:
            initial["channel"] = query["channel"]
        leader = query.get("reception_leader", "")
        if leader.isdigit():
            initial["reception_leader"] = leader
        receipt = query.get("first_receipt", "")
        if receipt.isdigit():  # the first-receipt list links here with the visit preselected
            initial["first_receipt"] = receipt
            initial.setdefault("channel", Channel.VISIT)
        return initial


class ListFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "内容、姓名、电话、编号"}))
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态")] + list(Status.choices))
    channel = forms.ChoiceField(label="渠道", required=False, choices=[("", "全部渠道")] + list(Channel.choices))
    category = forms.ChoiceField(label="类别", required=False)
    registered_from = forms.DateField(label="登记自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    registered_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "全部类别")] + [(c.code, c.name) for c in Category.objects.filter(active=True)]


# ---------------------------------------------------------------------------
# Action forms: the inputs each action takes (labels in Chinese), rendered generically.
# ---------------------------------------------------------------------------


def _leaders(petition):
    return [("", "请选择")] + [
        (u.username, f"{u.display_name}（{u.post or '领导'}）")
        for u in User.objects.filter(groups__name=Role.LEADER, is_active=True).order_by("username")[:200]
    ]


def _units(petition):
    # The access policy's guard decides: a 检举控告 is never offered to a unit where a respondent works.
    # The city's organs held in the deployment review the county's cases; they are not its handling units.
    units = Unit.objects.filter(active=True).exclude(kind="village_committee").exclude(region__level__in=ABOVE_THE_COUNTY)
    units = policy.assignable_units(petition, units)
    return [("", "请选择")] + [(u.code, u.name) for u in units[:500]]


# The page's widget for each kind of input (action_inputs.Kind).
WIDGETS = {
    Kind.LINE: "text",
    Kind.TEXT: "textarea",
    Kind.CHOICE: "select",
    Kind.DATE: "date",
    Kind.MOMENT: "date",
    Kind.INTEGER: "number",
    Kind.FLAG: "checkbox",
    Kind.LEADER: "select",
    Kind.UNIT: "select",
    Kind.ORGAN: "select",
    Kind.ATTACHMENT: "select",
}


def action_fields(action: str, petition) -> list[dict]:
    """[{name, label, type, choices, required, ...}] for the action's inputs, from their declaration
    (`action_inputs.INPUTS`). Only the asked action's choices are read from the database."""
    out = []
    for f in INPUTS.get(action, ()):
        if f.only_if is not None and not f.only_if(petition):
            continue
        spec: dict = {"name": f.name, "label": f.page_label(petition), "type": WIDGETS[f.kind], "required": f.required}
        if f.kind == Kind.CHOICE:
            spec["choices"] = ([("", f.blank_label)] if f.blank_label else []) + f.choice_pairs()
        elif f.kind == Kind.LEADER:
            spec["choices"] = _leaders(petition)
        elif f.kind == Kind.UNIT:
            spec["choices"] = _units(petition)
        elif f.kind == Kind.ORGAN:
            from xinfang.petitions import review

            spec["choices"] = review.organ_choices(petition, action)
        elif f.kind == Kind.ATTACHMENT:
            from xinfang.petitions import review

            spec["choices"] = review.attachment_choices(petition)
        if f.kind == Kind.FLAG and f.default:
            spec["checked"] = True
        elif f.kind == Kind.CHOICE and f.default:
            spec["initial"] = str(f.default)
        out.append(spec)
    if action == "reply" and petition.reply_draft and not petition.reply_text:
        out[1]["initial"] = petition.reply_draft
    return out


def action_inputs(action: str, petition, post) -> dict:
    out = {}
    for f in action_fields(action, petition):
        if f["type"] == "checkbox":
            out[f["name"]] = post.get(f["name"]) in ("on", "1", "true")
        else:
            value = post.get(f["name"], "")
            if value != "" or f["required"]:
                out[f["name"]] = value
    return out
