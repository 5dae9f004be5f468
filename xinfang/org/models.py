"""The organization: the region tree, units, staff and roles, and the grassroots network.

Rules about who may be posted where live in `services.py`; the database holds the
invariants it can (one active liaison per village, one information officer per group).
"""

from datetime import date

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    """The roles of DESIGN.md; each is a Django group of the same code (data migration)."""

    ADMIN = "admin", "系统管理员"
    CLERK = "clerk", "登记员"
    OFFICE = "office", "信访办"
    LEADER = "leader", "领导"
    UNIT_HANDLER = "unit_handler", "承办单位"
    SUPERVISOR = "supervisor", "督查员"
    LIAISON = "liaison", "联络员"
    INFO_OFFICER = "info_officer", "信息员"
    SAFETY_OFFICER = "safety_officer", "安全信息员"
    VIEWER = "viewer", "查看者"
    # The staff of a review organ above the county held in this deployment (a city's government, petition bureau or
    # department, issue 13): the reviews asked of their organ (access.policy.review_unit_ids) and nothing of the county's
    # work, so every other role check refuses them (their rows in petitions.workflow, their sections in core.navigation).
    REVIEWER = "reviewer", "复查复核机关"


class RegionLevel(models.TextChoices):
    # A city or province above the county may be held in the same deployment (issue 13): its own region root, its own
    # units and users, whose scope is the reviews asked of them (access.policy), not the county's worklists.
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县"
    TOWNSHIP = "township", "乡镇/街道"
    VILLAGE = "village", "行政村/社区"
    GROUP = "group", "村民小组"


ABOVE_THE_COUNTY = (RegionLevel.CITY, RegionLevel.PROVINCE)
LEVEL_ORDER = [RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE, RegionLevel.GROUP]


class Region(models.Model):
    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Materialised path of codes ("/c/t/v/"): descendants are path__startswith, one indexed query.
    path = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "/") + self.code + "/"
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names[:-1])) if len(names) > 1 else self.name


class UnitKind(models.TextChoices):
    PROVINCE_LEADERSHIP = "province_leadership", "省委省政府"
    CITY_LEADERSHIP = "city_leadership", "市委市政府"
    COUNTY_LEADERSHIP = "county_leadership", "县委县政府"
    PETITION_BUREAU = "petition_bureau", "信访局"
    JOINT_OFFICE = "joint_office", "联席办"
    DEPARTMENT = "department", "县直部门"
    # A city's or province's own departments held in the deployment (市人社局 above 县人社局): review organs of their
    # own, never handling units of the county's cases (routing, assignment and the county's lists take `department`).
    CITY_DEPARTMENT = "city_department", "市直部门"
    PROVINCE_DEPARTMENT = "province_department", "省直部门"
    TOWNSHIP = "township", "乡镇政府/街道办"
    SCHOOL = "school", "学校"
    VILLAGE_COMMITTEE = "village_committee", "村(居)委会"
    OTHER = "other", "其他"


# A unit's code is the first part of the registration numbers its office gives (petitions.registration), so it is ASCII:
# the search finds a number through a trigram index and leaves that arm out for a query with any other character.
unit_code_validator = RegexValidator(r"^[0-9A-Za-z_.-]+$", "单位代码只能由字母、数字和 - _ . 组成")


class Unit(models.Model):
    code = models.CharField("代码", max_length=32, unique=True, validators=[unit_code_validator])
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=32, choices=UnitKind.choices)
    parent = models.ForeignKey("self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    region = models.ForeignKey(Region, verbose_name="所在/管辖区域", on_delete=models.PROTECT, related_name="units")
    # The department of the same system one level up, when it is held in this deployment (县人社局 → 市人社局): with the
    # same-level government (`parent`) the in-deployment organs above the unit (复查/复核, petitions.review). Outside the
    # deployment the organ above is an ExternalOrgan record (`superior_organs`).
    superior = models.ForeignKey(
        "self",
        verbose_name="上一级主管部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subordinates",
        help_text="本系统内上一级同系统部门，如县人社局的上一级为市人社局（复查、复核机关）",
    )
    # Short text of what the unit handles (归口处理), used by routing suggestions and the knowledge base.
    responsibilities = models.TextField("职责/归口事项", blank=True)
    duty_phone = models.CharField("值班电话", max_length=32, blank=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位"
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def is_petition_office(self) -> bool:
        return self.kind in (UnitKind.PETITION_BUREAU, UnitKind.JOINT_OFFICE)

    @property
    def organ_name(self) -> str:
        """The name the organ signs in and is named by on notices (its seal). A government unit signs as the people's
        government of its region (the 条例 names 人民政府 as review organs: 县委县政府 → 安和县人民政府); a department named
        from its county (县人力资源和社会保障局) takes the county's name (安和县人力资源和社会保障局)."""
        if self.kind in GOVERNMENT_KINDS and not self.name.endswith("人民政府") and self.region_id:
            return f"{self.region.name}人民政府"
        node = self.region
        while node is not None and node.level != RegionLevel.COUNTY:
            node = node.parent
        county = node.name if node is not None else ""
        if county.endswith("县") and self.name.startswith("县"):
            return county[:-1] + self.name
        return self.name


# Units that are organs of their own (a review organ answers in its own name), as opposed to a unit's internal offices.
GOVERNMENT_KINDS = (UnitKind.COUNTY_LEADERSHIP, UnitKind.CITY_LEADERSHIP, UnitKind.PROVINCE_LEADERSHIP)
ORGAN_KINDS = (
    *GOVERNMENT_KINDS,
    UnitKind.PETITION_BUREAU,
    UnitKind.JOINT_OFFICE,
    UnitKind.DEPARTMENT,
    UnitKind.CITY_DEPARTMENT,
    UnitKind.PROVINCE_DEPARTMENT,
    UnitKind.TOWNSHIP,
)


class OrganLevel(models.TextChoices):
    COUNTY = "county", "县级"
    CITY = "city", "市级"
    PROVINCE = "province", "省级"
    NATIONAL = "national", "中央和国家机关"


class OrganKind(models.TextChoices):
    GOVERNMENT = "government", "人民政府"
    PETITION_BUREAU = "petition_bureau", "信访部门"
    DEPARTMENT = "department", "工作部门"
    OTHER = "other", "其他机关"


class ExternalOrgan(models.Model):
    """An organ outside this deployment (市人社局, 市人民政府, 省信访局 …), recorded so the office can pick it as the review
    organ (复查/复核机关): a request is forwarded to it (转送) and its opinion entered as received.

    `parent` is the organ one level above it (市人社局 → 省人社厅); `supervises` the units of this deployment it is the
    organ above (市人社局 above 县人社局; 市人民政府 above 县人民政府): the review path is suggested from them."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=16, choices=OrganLevel.choices)
    kind = models.CharField("类型", max_length=16, choices=OrganKind.choices, default=OrganKind.DEPARTMENT)
    address = models.CharField("地址", max_length=200, blank=True)
    parent = models.ForeignKey("self", verbose_name="上一级机关", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    supervises = models.ManyToManyField(Unit, verbose_name="其上一级机关所对应的本系统单位", blank=True, related_name="superior_organs")
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "系统外机关"
        ordering = ["level", "code"]

    def __str__(self):
        return self.name


class XinfangUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        if "unit" not in extra_fields and "unit_id" not in extra_fields:
            unit = Unit.objects.filter(kind=UnitKind.PETITION_BUREAU).first()
            if unit is not None:
                extra_fields["unit"] = unit
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A staff account. Every user belongs to a unit; roles are groups named by `Role` codes."""

    name = models.CharField("姓名", max_length=64, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="所属单位", null=True, on_delete=models.PROTECT, related_name="staff")
    phone = models.CharField("手机", max_length=32, blank=True)
    post = models.CharField("职务", max_length=64, blank=True)

    objects = XinfangUserManager()

    class Meta:
        verbose_name = verbose_name_plural = "工作人员"

    def __str__(self):
        return self.name or self.username

    @property
    def display_name(self) -> str:
        return self.name or self.username

    @property
    def role_codes(self) -> list[str]:
        """Role codes of this user, cached per instance (one query)."""
        if not hasattr(self, "_role_codes"):
            valid = set(Role.values)
            self._role_codes = sorted(n for n in self.groups.values_list("name", flat=True) if n in valid)
        return self._role_codes

    def has_role(self, *roles: str) -> bool:
        return self.is_active and bool(set(self.role_codes) & set(roles))


class NetworkPolicy(models.Model):
    """The county's configurable rules for the network (one row; `NetworkPolicy.current()`)."""

    supervisor_max_age = models.PositiveSmallIntegerField("督查员选调年龄上限", default=35)
    supervisor_term_months = models.PositiveSmallIntegerField("督查员抽调期限(月)", default=12)
    safety_officers_min = models.PositiveSmallIntegerField("每校安全信息员下限", default=1)
    safety_officers_max = models.PositiveSmallIntegerField("每校安全信息员上限", default=3)
    safety_monthly_quota = models.PositiveSmallIntegerField("安全信息每人每月条数", default=2)
    term_warning_days = models.PositiveSmallIntegerField("期满提醒天数", default=30)

    class Meta:
        verbose_name = verbose_name_plural = "网络规则"

    def __str__(self):
        return "网络规则"

    @classmethod
    def current(cls) -> "NetworkPolicy":
        policy = cls.objects.order_by("pk").first()
        return policy or cls.objects.create()


class SupervisionGroup(models.Model):
    """督查组: covers several townships; its members are supervisors (NetworkPost)."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    townships = models.ManyToManyField(
        Region, verbose_name="包联乡镇", related_name="supervision_groups", blank=True, limit_choices_to={"level": RegionLevel.TOWNSHIP}
    )

    class Meta:
        verbose_name = verbose_name_plural = "督查组"
        ordering = ["code"]

    def __str__(self):
        return self.name


class PostRole(models.TextChoices):
    SUPERVISOR = "supervisor", "督查员"
    HANDLER = "handler", "驻村承办员"
    LIAISON = "liaison", "联络员"
    INFO_OFFICER = "info_officer", "信息员"
    SAFETY_OFFICER = "safety_officer", "安全信息员"


# Dual management (双重管理): who manages and assesses each network role (seed, part 5).
MANAGED_BY = {
    PostRole.SUPERVISOR: "县联席办",
    PostRole.HANDLER: "所在乡镇党委、县信访局",
    PostRole.LIAISON: "所在乡镇党委、县信访局",
    PostRole.INFO_OFFICER: "所在乡镇党委、县信访局",
    PostRole.SAFETY_OFFICER: "所在学校",
}


class NetworkPost(models.Model):
    """One person in one post of the grassroots network.

    supervisor: `supervision_group`, seconded from `home_unit`, term `start_on`–`end_on`, `trained_on`.
    handler: one row per village covered (`region` = village), `home_unit` = the township.
    liaison: `region` = an administrative village (one active per village).
    info_officer: `region` = a villager group (one active per group).
    safety_officer: `school` (1–3 active per school).
    A post is never deleted: leaving it sets `ended_on`.
    """

    role = models.CharField("岗位", max_length=32, choices=PostRole.choices)
    user = models.ForeignKey(User, verbose_name="账号", null=True, blank=True, on_delete=models.PROTECT, related_name="network_posts")
    name = models.CharField("姓名", max_length=64)
    phone = models.CharField("电话", max_length=32, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="负责区域", null=True, blank=True, on_delete=models.PROTECT, related_name="network_posts"
    )
    school = models.ForeignKey(Unit, verbose_name="学校", null=True, blank=True, on_delete=models.PROTECT, related_name="safety_posts")
    supervision_group = models.ForeignKey(
        SupervisionGroup, verbose_name="督查组", null=True, blank=True, on_delete=models.PROTECT, related_name="posts"
    )
    home_unit = models.ForeignKey(
        Unit, verbose_name="原单位/所在单位", null=True, blank=True, on_delete=models.PROTECT, related_name="seconded_posts"
    )
    birth_date = models.DateField("出生日期", null=True, blank=True)
    selected_on = models.DateField("选调日期", null=True, blank=True)
    trained_on = models.DateField("岗前培训日期", null=True, blank=True)
    start_on = models.DateField("上岗日期", default=date.today)
    end_on = models.DateField("期满日期", null=True, blank=True)
    ended_on = models.DateField("离岗日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "网络岗位"
        ordering = ["role", "region__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region"], condition=Q(role="liaison", ended_on__isnull=True), name="one_active_liaison_per_village"
            ),
            models.UniqueConstraint(
                fields=["region"], condition=Q(role="info_officer", ended_on__isnull=True), name="one_active_info_officer_per_group"
            ),
        ]
        indexes = [models.Index(fields=["role", "ended_on"])]

    def __str__(self):
        return f"{self.get_role_display()} {self.name}"

    @property
    def managed_by(self) -> str:
        return MANAGED_BY[PostRole(self.role)]


class LeadingGroupMember(models.Model):
    """信访工作领导小组: per unit, the head (组长), deputies and members."""

    class Position(models.TextChoices):
        HEAD = "head", "组长"
        DEPUTY = "deputy", "副组长"
        MEMBER = "member", "成员"

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="leading_group")
    user = models.ForeignKey(User, verbose_name="账号", null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField("姓名", max_length=64)
    post = models.CharField("职务", max_length=64, blank=True)
    position = models.CharField("职位", max_length=16, choices=Position.choices, default=Position.MEMBER)

    class Meta:
        verbose_name = verbose_name_plural = "信访工作领导小组成员"
        ordering = ["unit", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=Q(position="head"), name="one_head_per_leading_group"),
        ]

    def __str__(self):
        return f"{self.unit} {self.get_position_display()} {self.name}"
