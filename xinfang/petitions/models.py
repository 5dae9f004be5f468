"""The petition (信访件) and what belongs to it.

Every state change goes through one service in `services.py`, which checks the
(state, action) table in `workflow.py`, bumps `version` and writes one `PetitionEvent`
in the same transaction. Nothing here is ever deleted (`NoDeleteModel`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.core.crypto import EncryptedTextField
from xinfang.core.models import NoDeleteModel
from xinfang.petitions.saved_filters import SavedFilter  # noqa: F401  (the worklist's saved filters; its own module)


class Status(models.TextChoices):
    REGISTERED = "registered", "已登记"
    ACCEPTED = "accepted", "已受理"
    DECLINED = "declined", "不予受理"
    FORWARDED = "forwarded", "已转送"
    AWAITING_INSTRUCTION = "awaiting_instruction", "待批示"
    ASSIGNED = "assigned", "已交办"
    IN_PROGRESS = "in_progress", "办理中"
    RESULT_REPORTED = "result_reported", "已报结"
    AWAITING_REPLY = "awaiting_reply", "待答复"
    REPLIED = "replied", "已答复"
    EVALUATED = "evaluated", "已评价"
    UNDER_REVIEW = "under_review", "复查中"
    UNDER_REREVIEW = "under_rereview", "复核中"
    ARCHIVED = "archived", "已归档"


# Tuples in a fixed order, not sets: a set's order follows the process's hash seed, so `status IN (…)` came out in a
# different order in each process, and SQLite uses a partial index only when the query repeats the index's condition
# term for term (petition_open_registered's `NOT status IN ('archived', 'declined', 'forwarded')`).
CLOSED_STATUSES = (Status.ARCHIVED, Status.DECLINED, Status.FORWARDED)
OPEN_STATUSES = tuple(s for s in Status if s not in CLOSED_STATUSES)


class Channel(models.TextChoices):
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    PHONE = "phone", "来电"
    ONLINE = "online", "网上信访"
    SMS = "sms", "短信"
    MAILBOX = "mailbox", "信箱"
    FROM_SUPERIOR = "from_superior", "上级交办"


class Nature(models.TextChoices):
    REPORT = "report", "检举控告"
    APPEAL = "appeal", "申诉"
    REQUEST = "request", "求决"
    SUGGESTION = "suggestion", "意见建议"
    INQUIRY = "inquiry", "咨询"


class Complexity(models.TextChoices):
    GENERAL = "general", "一般(1个月)"
    COMPLEX = "complex", "复杂(2个月)"
    SERIOUS = "serious", "严重/立案(3个月)"


class Outcome(models.TextChoices):
    FULL = "full", "全部支持"
    PARTIAL = "partial", "部分支持"
    UNSUPPORTED = "unsupported", "不予支持"
    EXPLAINED = "explained", "解释说明"


class ReplyMethod(models.TextChoices):
    LETTER = "letter", "书面"
    VISIT = "visit", "当面"
    PHONE = "phone", "电话"
    SMS = "sms", "短信"
    ONLINE = "online", "网上"


class DeliveryMethod(models.TextChoices):
    """送达方式 of an answer (处理意见书/复查意见书/复核意见书)."""

    DIRECT = "direct", "直接送达"
    POST = "post", "邮寄送达"
    SMS = "sms", "短信送达"
    ONLINE = "online", "网上送达"
    ANNOUNCEMENT = "announcement", "公告送达"


class Track(models.TextChoices):
    """办理程序: the standard procedure, or 简易办理 for clear, simple first-time matters (its own shorter limit)."""

    STANDARD = "standard", "普通程序"
    SIMPLE = "simple", "简易办理"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class Category(models.Model):
    """问题类别 (e.g. 农村农业/土地征收, 劳动社保, 城乡建设 ...), a two-level tree."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Default handling unit and keywords feed the routing fallback (归口处理).
    default_unit = models.ForeignKey("org.Unit", verbose_name="归口单位", null=True, blank=True, on_delete=models.PROTECT)
    keywords = models.CharField("关键词(逗号分隔)", max_length=500, blank=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "问题类别"
        ordering = ["code"]

    def __str__(self):
        return self.name


class RegistrationCounter(models.Model):
    """Gap-free registration numbers per office and year: the row is locked while a number is taken."""

    office = models.ForeignKey("org.Unit", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="one_counter_per_office_year")]


class FirstReplyField(models.DateTimeField):
    """The first reply time: filled from `replied_at` when a row is written with a reply and no first reply
    (create, save, bulk_create, e.g. imports and demo loaders); never changed once set."""

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is None and getattr(model_instance, "replied_at", None) is not None:
            value = model_instance.replied_at
            setattr(model_instance, self.attname, value)
        return value


class Petition(NoDeleteModel):
    reg_no = models.CharField("登记编号", max_length=40, unique=True)
    office = models.ForeignKey("org.Unit", verbose_name="登记机关", on_delete=models.PROTECT, related_name="registered_petitions")
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    query_code_hash = models.CharField(max_length=128, editable=False)

    status = models.CharField("状态", max_length=32, choices=Status.choices, default=Status.REGISTERED, db_index=True)
    version = models.PositiveIntegerField("版本", default=1)

    channel = models.CharField("渠道", max_length=32, choices=Channel.choices)
    external_channel = models.CharField("外部渠道", max_length=64, blank=True)  # an Open311 client etc.
    external_id = models.CharField("外部编号", max_length=100, blank=True)
    received_at = models.DateTimeField("收到时间")
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)
    first_receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="首问责任人", null=True, blank=True, on_delete=models.PROTECT, related_name="first_received"
    )

    nature = models.CharField("性质", max_length=32, choices=Nature.choices)
    category = models.ForeignKey(Category, verbose_name="问题类别", on_delete=models.PROTECT, related_name="petitions")
    content = models.TextField("主要问题")
    requests = models.TextField("诉求", blank=True)
    region = models.ForeignKey("org.Region", verbose_name="问题发生地", on_delete=models.PROTECT, related_name="petitions")

    anonymous = models.BooleanField("匿名", default=False)
    confidential = models.BooleanField("保密", default=False)
    public_consent = models.BooleanField("同意公开", default=False)
    headcount = models.PositiveIntegerField("人数", default=1)
    collective = models.BooleanField("集体访", default=False)
    cross_level = models.BooleanField("越级访", default=False)
    first_time = models.BooleanField("初信初访", default=True)
    repeat_of = models.ForeignKey(
        "self", verbose_name="重复件原件", null=True, blank=True, on_delete=models.PROTECT, related_name="repeats"
    )
    matter_ended = models.BooleanField("已三级终结事项", default=False)

    # Channel-specific details (letter postmark, superior's document).
    postmark_date = models.DateField("邮戳日期", null=True, blank=True)
    superior_doc_no = models.CharField("上级交办文号", max_length=64, blank=True)
    superior_due_at = models.DateTimeField("上级要求报结时间", null=True, blank=True)
    reception_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接访领导",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_on_reception_day",
    )

    # Routing and handling.
    handling_unit = models.ForeignKey(
        "org.Unit", verbose_name="承办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="handled_petitions"
    )
    case_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="包案领导", null=True, blank=True, on_delete=models.PROTECT, related_name="led_petitions"
    )
    result_required = models.BooleanField("需报结果", default=True)
    complexity = models.CharField("复杂程度", max_length=16, choices=Complexity.choices, blank=True)
    assigned_at = models.DateTimeField("交办时间", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("转送/交办/不予受理时间", null=True, blank=True)
    committed_date = models.DateField("承诺办结日期", null=True, blank=True)
    # 依法分类处理 of a declined matter: the route (action_inputs.DeclineRoute) and the organ named in the notice.
    decline_route = models.CharField("不予受理途径", max_length=40, blank=True)
    decline_route_organ = models.CharField("有权处理的机关", max_length=100, blank=True)
    extended_days = models.PositiveSmallIntegerField("延期天数", default=0)
    track = models.CharField("办理程序", max_length=16, choices=Track.choices, default=Track.STANDARD)

    # Deadlines: the current step's due time (indexed) and each step's due time.
    due_at = models.DateTimeField("当前环节期限", null=True, blank=True)
    dispatch_due_at = models.DateTimeField("转送交办期限", null=True, blank=True)
    accept_due_at = models.DateTimeField("受理告知期限", null=True, blank=True)
    handle_due_at = models.DateTimeField("办理期限", null=True, blank=True)
    internal_due_at = models.DateTimeField("内部查处期限", null=True, blank=True)
    # The petitioner's window to ask 复查/复核: null until the answer is delivered (送达), then 30 days from delivery.
    review_request_due_at = models.DateTimeField("申请复查/复核截止", null=True, blank=True)
    instruction_due_at = models.DateTimeField("呈批期限", null=True, blank=True)
    review_due_at = models.DateTimeField("复查/复核答复期限", null=True, blank=True)
    reported_back_at = models.DateTimeField("向上级报结时间", null=True, blank=True)
    paused_at = models.DateTimeField("暂停计时起", null=True, blank=True)
    pause_ground = models.CharField("暂停事由", max_length=16, blank=True)  # a PauseGround code while paused
    paused_seconds = models.PositiveBigIntegerField("累计暂停秒数", default=0)
    # 当日阅办: due at the end of the day received; triaged by an explicit 阅办 or by the accept/decline/forward decision.
    triage_due_at = models.DateTimeField("阅办期限", null=True, blank=True)
    triaged_at = models.DateTimeField("阅办时间", null=True, blank=True)
    # The office's consent to a return after the unit's 5-workday objection period (cleared by the return and by a new assignment).
    return_consented_at = models.DateTimeField("同意退回时间", null=True, blank=True)

    # Result and reply.
    outcome = models.CharField("处理结果", max_length=16, choices=Outcome.choices, blank=True)
    findings = models.TextField("调查核实情况", blank=True)
    reply_draft = models.TextField("答复意见草稿", blank=True)
    reply_method = models.CharField("答复方式", max_length=16, choices=ReplyMethod.choices, blank=True)
    reply_text = models.TextField("处理意见书", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)  # the latest reply (复查/复核 replies overwrite it)
    # Delivery (送达) of the latest answer; online and SMS answers are delivered when sent.
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    delivery_method = models.CharField("送达方式", max_length=16, choices=DeliveryMethod.choices, blank=True)
    # The first reply (处理意见书), set once and never overwritten: 按期办结率 and 初信初访办结率 count it.
    first_replied_at = FirstReplyField("首次答复时间", null=True, blank=True)
    # The evaluation of the first answer (处理意见书): the KPIs 参评率 and 满意率 count it (stats.kpis says so).
    satisfaction = models.CharField("满意度", max_length=32, choices=Satisfaction.choices, blank=True)
    evaluated_at = models.DateTimeField("评价时间", null=True, blank=True)
    # The petitioner may evaluate every answer: the review opinion's and the re-review opinion's evaluations.
    review_satisfaction = models.CharField("复查意见满意度", max_length=32, choices=Satisfaction.choices, blank=True)
    rereview_satisfaction = models.CharField("复核意见满意度", max_length=32, choices=Satisfaction.choices, blank=True)
    # The evaluation of the latest answer ("" until it is evaluated; every new answer clears it): archiving and the
    # 不满意件 bucket read it. The 回访 after it (its outcome code, cleared by a new answer) takes a case out of that bucket.
    last_satisfaction = models.CharField("最近一次答复的满意度", max_length=32, choices=Satisfaction.choices, blank=True)
    follow_up_outcome = models.CharField("回访结果", max_length=32, blank=True)
    # 重新办理 after a 回访: the same reg_no, a new handling limit; the KPIs count reopened cases.
    reopened_count = models.PositiveSmallIntegerField("重新办理次数", default=0)
    reopened_at = models.DateTimeField("最近重新办理时间", null=True, blank=True)
    review_level = models.PositiveSmallIntegerField("复查复核级次", default=0)  # 0 none, 1 复查, 2 复核 (终结)
    # The organ of the review asked or under way (复查 or 复核; the last one after its opinion): a unit of this deployment,
    # or an external organ (org.ExternalOrgan), to which the office forwards the request and whose opinion it enters.
    review_unit = models.ForeignKey(
        "org.Unit", verbose_name="复查/复核机关（本系统）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_external = models.ForeignKey(
        "org.ExternalOrgan", verbose_name="复查/复核机关（系统外）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_forwarded_at = models.DateTimeField("复查/复核请求转送时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    archive_category = models.CharField("归档类别", max_length=32, blank=True)

    # Import of legacy registers.
    imported = models.BooleanField("历史导入", default=False)
    legacy_reg_no = models.CharField("原登记编号", max_length=64, blank=True)
    # A record from a legacy register that is not live work: out of every live worklist, the sweep and the current
    # KPIs (stats/kpis.py says which past-period KPIs count it); an open one waits in the 历史待办 bucket until the
    # office takes it up (transfer.services.historical_take_up), which makes it live.
    historical = models.BooleanField("历史记录", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "信访件"
        ordering = ["-registered_at"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "seq"], name="reg_no_seq_unique"),
            models.UniqueConstraint(
                fields=["external_channel", "external_id"], condition=~Q(external_id=""), name="external_id_unique_per_channel"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="petition_status_due"),
            models.Index(fields=["due_at"], condition=Q(due_at__isnull=False), name="petition_open_due"),
            models.Index(fields=["handling_unit", "status"], name="petition_unit_status"),
            models.Index(fields=["region", "registered_at"], name="petition_region_registered"),
            models.Index(fields=["registered_at"], name="petition_registered"),
            models.Index(fields=["category", "registered_at"], name="petition_category_registered"),
            # A list filtered by status and category together (已评价 of one category), newest first: the matching rows
            # in list order, not one filter's rows walked for the other's (migration 0016).
            models.Index(fields=["status", "category", "registered_at"], name="petition_status_cat_registered"),
            models.Index(fields=["office", "status"], name="petition_office_status"),
            models.Index(fields=["case_leader", "status"], name="petition_leader_status"),
            # 及时受理率 counts, at the time of asking, the petitions still undecided past their accept-by time: found
            # through these two small indexes (stats.kpis, the live part of its denominator), not a scan of the period.
            models.Index(
                fields=["accept_due_at"],
                condition=Q(accepted_at__isnull=True, dispatched_at__isnull=True),
                name="petition_pending_decision",
            ),
            models.Index(
                fields=["accept_due_at"],
                condition=Q(accepted_at__isnull=True, dispatched_at__isnull=False) & ~Q(status__in=["declined", "forwarded"]),
                name="petition_undecided_dispatched",
            ),
            # The register's own number, searched exactly (worklist search, transfer): a small partial index.
            models.Index(fields=["legacy_reg_no"], condition=~Q(legacy_reg_no=""), name="petition_legacy_no"),
            models.Index(fields=["status"], condition=Q(historical=True), name="petition_historical_status"),
            # The open petitions (a few percent of a county's record once it archives): 待包案 (followup.case_leader_due_q)
            # and other open-only questions walk these, not the whole table.
            models.Index(
                fields=["registered_at"],
                condition=~Q(status__in=sorted(CLOSED_STATUSES)) & Q(historical=False),
                name="petition_open_registered",
            ),
            # 重新办理 in the KPIs' live part (stats.kpis): the few reopened petitions of a period, not the period's scan.
            models.Index(fields=["registered_at"], condition=Q(reopened_count__gt=0), name="petition_reopened_registered"),
            # The dashboard's 不予受理 by route (stats.breakdowns.by_decline_route, never summarised): the period's
            # declines, not the period.
            models.Index(fields=["registered_at"], condition=Q(status="declined"), name="petition_declined_registered"),
            # 越级访 awaiting its guidance report (reception.cross_level.open_cross_level, on the office's home page):
            # the few cross-level petitions newest first, not a scan of the table (15 ms at 50,000 on SQLite).
            models.Index(fields=["received_at"], condition=Q(cross_level=True), name="petition_cross_level_received"),
            # 不满意件 (followup.dissatisfied_q): a few rows among the answered ones, found without walking them all.
            models.Index(
                fields=["status"], condition=Q(last_satisfaction="dissatisfied", follow_up_outcome=""), name="petition_dissatisfied"
            ),
        ]

    def __str__(self):
        return self.reg_no

    def save(self, *args, **kwargs):
        # A save limited to `replied_at` must also write the first reply time, which FirstReplyField.pre_save fills
        # from it; Django only calls pre_save for the fields listed (tests/petitions/test_lifecycle.py).
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "replied_at" in update_fields and self.first_replied_at is None:
            kwargs["update_fields"] = [*update_fields, "first_replied_at"]
        return super().save(*args, **kwargs)


class Petitioner(NoDeleteModel):
    """A person who petitions (or a representative of a collective visit). Identity encrypted at rest."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="petitioners")
    name = EncryptedTextField("姓名")
    id_number = EncryptedTextField("身份证号", blank=True)
    phone = EncryptedTextField("电话", blank=True)
    address = EncryptedTextField("住址", blank=True)
    work_unit = EncryptedTextField("工作单位", blank=True)
    # Keyed hashes (HMAC) so that repeat detection and search can match without decrypting.
    id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    name_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    is_representative = models.BooleanField("代表", default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "信访人"
        ordering = ["petition", "position", "pk"]


class Respondent(NoDeleteModel):
    """被反映人. A linked or confirmed user never sees the petition (access policy)."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="respondents")
    name = models.CharField("姓名", max_length=64)
    unit_name = models.CharField("单位", max_length=100, blank=True)
    post = models.CharField("职务", max_length=64, blank=True)
    unit = models.ForeignKey("org.Unit", verbose_name="所在单位(系统内)", null=True, blank=True, on_delete=models.PROTECT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="对应账号", null=True, blank=True, on_delete=models.PROTECT, related_name="respondent_in"
    )

    class Meta:
        verbose_name = verbose_name_plural = "被反映人"


def attachment_path(instance, filename):
    return f"attachments/{instance.petition.year}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(NoDeleteModel):
    class Kind(models.TextChoices):
        SCAN = "scan", "信件扫描"
        ENVELOPE = "envelope", "信封/邮戳"
        PHOTO = "photo", "照片"
        RECORDING = "recording", "录音"
        DOCUMENT = "document", "文书"
        OTHER = "other", "其他"

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "附件"


class PetitionEvent(NoDeleteModel):
    """One immutable step in a petition's history, hash-chained per petition.

    `hash` = sha256 of (prev_hash, petition reg_no, seq, action, actor, at, statuses, data).
    On PostgreSQL a trigger refuses UPDATE and DELETE (see the audit app).
    """

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=64, blank=True)  # "信访人", "Open311:12345" when no staff actor
    at = models.DateTimeField()
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Visible to the petitioner on the portal (告知书/意见书/答复 and plain status steps).
    public = models.BooleanField(default=False)
    imported = models.BooleanField(default=False)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["petition", "seq"]
        constraints = [models.UniqueConstraint(fields=["petition", "seq"], name="event_seq_unique")]
        indexes = [models.Index(fields=["action", "at"], name="event_action_at")]


class DayKind(models.TextChoices):
    CALENDAR = "calendar", "自然日"
    WORKDAY = "workday", "工作日"


class TimeLimit(models.Model):
    """A time limit of the policy table (editable by the admin). `step` is a code used by deadlines.py."""

    step = models.CharField("环节代码", max_length=40, unique=True)
    label = models.CharField("环节", max_length=100)
    amount = models.PositiveIntegerField("时限")
    unit = models.CharField("单位", max_length=16, choices=[("days", "天"), ("hours", "小时"), ("minutes", "分钟")], default="days")
    day_kind = models.CharField("计日方式", max_length=16, choices=DayKind.choices, default=DayKind.CALENDAR)
    basis = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办理时限"
        ordering = ["step"]

    def __str__(self):
        return f"{self.label} {self.amount}{self.get_unit_display()}"


class PauseGround(models.Model):
    """A legal ground for stopping the clock (听证, 鉴定/检验/检测): who may pause on it and how long at most.

    The policy table beside TimeLimit, editable on the settings page. `legal_bound` says what the law itself says.
    """

    code = models.CharField("代码", max_length=16, unique=True)
    label = models.CharField("事由", max_length=40)
    max_days = models.PositiveSmallIntegerField("最长暂停天数")
    roles = models.CharField("可暂停的角色（逗号分隔）", max_length=100)
    legal_bound = models.CharField("法定依据与上限", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "暂停计时事由"
        ordering = ["pk"]

    def __str__(self):
        return self.label

    @property
    def role_codes(self) -> list[str]:
        return [r.strip() for r in self.roles.split(",") if r.strip()]


class Holiday(models.Model):
    """Official holidays and make-up workdays (调休上班), entered from the State Council's notice."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("调休上班日", default=False)
    name = models.CharField("名称", max_length=32, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日"
        ordering = ["date"]


class DocumentCounter(models.Model):
    """Gap-free 文号 per issuing organ, kind and year (安信受告〔2026〕12号): the row is locked while a number is taken."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT)
    kind = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "year"], name="one_doc_counter_per_unit_kind_year")]


class IssuedDocument(NoDeleteModel):
    """A notice or form as issued at its decision (`petitions.notices`): its 文号, 成文日期, signer, the files and their
    SHA-256. Reprinting serves these bytes; nothing here changes after issue."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="issued_documents")
    event = models.ForeignKey(PetitionEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_seq = models.PositiveIntegerField(default=0)  # the deciding event's seq (0: the registration)
    kind = models.CharField("文书", max_length=32)
    title = models.CharField("标题", max_length=64)
    number = models.CharField("文号", max_length=64, blank=True)
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField(null=True, blank=True)
    signer = models.CharField("署名机关", max_length=100)
    issued_at = models.DateTimeField("签发时间")
    issued_on = models.DateField("成文日期")
    lazy = models.BooleanField("补发", default=False)  # issued on first print, for a decision made before issuing existed
    masked = models.BooleanField("隐去身份", default=False)
    docx = models.BinaryField()
    pdf = models.BinaryField()
    docx_sha256 = models.CharField(max_length=64)
    pdf_sha256 = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "已签发文书"
        ordering = ["petition", "source_seq", "pk"]
        constraints = [models.UniqueConstraint(fields=["petition", "kind", "source_seq"], name="issued_once")]
