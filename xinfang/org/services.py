"""Writes of the organization network. Each rule is checked here first (Chinese message);
the database constraints in models.py are the last line of defence.

Services are keyword-only and atomic. `actor=None` means the system itself (the demo loader
and `manage.py import_network` run from the command line); a person must be admin or office.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.db import IntegrityError, transaction

from xinfang.core.errors import Conflict, InvalidInput, NoPermission
from xinfang.org.models import (
    LeadingGroupMember,
    NetworkPolicy,
    NetworkPost,
    PostRole,
    Region,
    RegionLevel,
    Role,
    SupervisionGroup,
    Unit,
    UnitKind,
    User,
)

MANAGERS = (Role.ADMIN, Role.OFFICE)


def can_manage_network(actor) -> bool:
    if actor is None:
        return True
    return bool(actor.is_authenticated and (actor.is_superuser or actor.has_role(*MANAGERS)))


def require_network_manager(actor, message: str = "只有系统管理员和信访办可以维护组织网络") -> None:
    if not can_manage_network(actor):
        raise NoPermission(message)


def add_months(day: date, months: int) -> date:
    """`day` plus whole months; the 31st becomes the month's last day when the month is shorter."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写姓名", fields={"name": ["请填写姓名"]})
    if len(name) > 64:
        raise InvalidInput("姓名过长（最多 64 个字）", fields={"name": ["姓名过长"]})
    return name


def _clean_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if phone and not all(ch.isdigit() or ch in "-+ " for ch in phone):
        raise InvalidInput("电话只能包含数字和“-”", fields={"phone": ["电话格式不正确"]})
    if len(phone) > 32:
        raise InvalidInput("电话过长", fields={"phone": ["电话过长"]})
    return phone


def _require_level(region: Region | None, level: str, field: str, what: str) -> Region:
    if region is None:
        raise InvalidInput(f"请选择{what}", fields={field: [f"请选择{what}"]})
    if region.level != level:
        raise InvalidInput(
            f"“{region.name}”（{region.code}）不是{RegionLevel(level).label}，请选择{what}",
            fields={field: [f"须为{RegionLevel(level).label}"]},
        )
    return region


def _active_posts():
    return NetworkPost.objects.filter(ended_on__isnull=True)


def _save_post(post: NetworkPost) -> NetworkPost:
    """Insert under a savepoint so a lost race on a unique constraint becomes a clear Conflict."""
    try:
        with transaction.atomic():
            post.save()
    except IntegrityError as exc:
        raise Conflict("该岗位刚被他人设置，请刷新后查看") from exc
    return post


# --- supervisors (督查员) -----------------------------------------------------------------


@transaction.atomic
def supervisor_post(
    *,
    actor,
    name: str,
    supervision_group: SupervisionGroup | None,
    home_unit: Unit | None,
    birth_date: date | None,
    trained_on: date | None,
    start_on: date,
    selected_on: date | None = None,
    end_on: date | None = None,
    phone: str = "",
    user: User | None = None,
    note: str = "",
) -> NetworkPost:
    """Post a supervisor to a supervision group: trained first, young enough at selection, a term."""
    require_network_manager(actor)
    policy = NetworkPolicy.current()
    name, phone = _clean_name(name), _clean_phone(phone)
    if supervision_group is None:
        raise InvalidInput("请选择督查组", fields={"supervision_group": ["请选择督查组"]})
    if home_unit is None:
        raise InvalidInput("请选择督查员的原单位（县直部门）", fields={"home_unit": ["请选择原单位"]})
    if start_on is None:
        raise InvalidInput("请填写上岗日期", fields={"start_on": ["请填写上岗日期"]})
    if trained_on is None:
        raise InvalidInput("督查员须先完成岗前培训方可上岗", fields={"trained_on": ["请先登记岗前培训日期"]})
    if trained_on > start_on:
        raise InvalidInput("督查员须先完成岗前培训方可上岗：培训日期晚于上岗日期", fields={"trained_on": ["培训日期不能晚于上岗日期"]})
    if birth_date is None:
        raise InvalidInput("请填写出生日期（选调须核对年龄）", fields={"birth_date": ["请填写出生日期"]})
    selected_on = selected_on or start_on
    age = age_on(birth_date, selected_on)
    if age > policy.supervisor_max_age:
        raise InvalidInput(
            f"选调时年龄 {age} 岁，超过督查员年龄上限 {policy.supervisor_max_age} 岁",
            fields={"birth_date": [f"选调时须不超过 {policy.supervisor_max_age} 岁"]},
        )
    end_on = end_on or add_months(start_on, policy.supervisor_term_months)
    if end_on <= start_on:
        raise InvalidInput("期满日期须晚于上岗日期", fields={"end_on": ["期满日期须晚于上岗日期"]})
    if user is not None and _active_posts().filter(role=PostRole.SUPERVISOR, user=user).exists():
        raise InvalidInput(f"{user.display_name} 已是在岗督查员", fields={"user": ["已在岗"]})
    return _save_post(
        NetworkPost(
            role=PostRole.SUPERVISOR,
            name=name,
            phone=phone,
            user=user,
            supervision_group=supervision_group,
            home_unit=home_unit,
            birth_date=birth_date,
            selected_on=selected_on,
            trained_on=trained_on,
            start_on=start_on,
            end_on=end_on,
            note=note,
        )
    )


@transaction.atomic
def supervisor_record_training(*, actor, post: NetworkPost, trained_on: date) -> NetworkPost:
    require_network_manager(actor)
    if post.role != PostRole.SUPERVISOR:
        raise InvalidInput("只有督查员需要登记岗前培训")
    if trained_on is None:
        raise InvalidInput("请填写培训日期", fields={"trained_on": ["请填写培训日期"]})
    if trained_on > date.today():
        raise InvalidInput("培训日期不能晚于今天", fields={"trained_on": ["培训日期不能晚于今天"]})
    updated = NetworkPost.objects.filter(pk=post.pk, ended_on__isnull=True).update(trained_on=trained_on)
    if not updated:
        raise Conflict("该督查员已离岗，不能再登记培训")
    post.trained_on = trained_on
    return post


# --- village handlers (驻村承办员) --------------------------------------------------------


@transaction.atomic
def handler_post(
    *,
    actor,
    name: str,
    home_unit: Unit | None,
    villages: list[Region],
    start_on: date,
    phone: str = "",
    user: User | None = None,
    note: str = "",
) -> list[NetworkPost]:
    """Assign a township cadre to one or more villages of that township: one row per village."""
    require_network_manager(actor)
    name, phone = _clean_name(name), _clean_phone(phone)
    if home_unit is None or home_unit.kind != UnitKind.TOWNSHIP:
        raise InvalidInput("驻村承办员须为乡镇（街道）干部，请选择所在乡镇政府", fields={"home_unit": ["请选择乡镇政府"]})
    if not villages:
        raise InvalidInput("请至少选择一个包联村", fields={"region": ["请选择包联村"]})
    township_path = home_unit.region.path
    posts = []
    for village in villages:
        _require_level(village, RegionLevel.VILLAGE, "region", "行政村/社区")
        if not village.path.startswith(township_path):
            raise InvalidInput(f"“{village.name}”不属于{home_unit.name}，只能包联本乡镇的村", fields={"region": ["只能包联本乡镇的村"]})
        if _active_posts().filter(role=PostRole.HANDLER, region=village, name=name).exists():
            raise InvalidInput(f"{name} 已包联{village.name}", fields={"region": ["已包联该村"]})
        posts.append(
            _save_post(
                NetworkPost(
                    role=PostRole.HANDLER,
                    name=name,
                    phone=phone,
                    user=user,
                    region=village,
                    home_unit=home_unit,
                    start_on=start_on,
                    note=note,
                )
            )
        )
    return posts


# --- liaisons (联络员) and information officers (信息员) ---------------------------------


@transaction.atomic
def liaison_post(
    *,
    actor,
    name: str,
    village: Region | None,
    start_on: date,
    phone: str = "",
    user: User | None = None,
    home_unit: Unit | None = None,
    note: str = "",
) -> NetworkPost:
    """One active liaison per administrative village."""
    require_network_manager(actor)
    name, phone = _clean_name(name), _clean_phone(phone)
    village = _require_level(village, RegionLevel.VILLAGE, "region", "行政村/社区")
    Region.objects.select_for_update().filter(pk=village.pk).first()
    current = _active_posts().filter(role=PostRole.LIAISON, region=village).first()
    if current is not None:
        raise InvalidInput(f"该村已有联络员：{current.name}，请先办理离岗", fields={"region": [f"已有联络员：{current.name}"]})
    return _save_post(
        NetworkPost(
            role=PostRole.LIAISON, name=name, phone=phone, user=user, region=village, home_unit=home_unit, start_on=start_on, note=note
        )
    )


@transaction.atomic
def info_officer_post(
    *,
    actor,
    name: str,
    group: Region | None,
    start_on: date,
    phone: str = "",
    user: User | None = None,
    note: str = "",
) -> NetworkPost:
    """One active information officer per villager group."""
    require_network_manager(actor)
    name, phone = _clean_name(name), _clean_phone(phone)
    group = _require_level(group, RegionLevel.GROUP, "region", "村民小组")
    Region.objects.select_for_update().filter(pk=group.pk).first()
    current = _active_posts().filter(role=PostRole.INFO_OFFICER, region=group).first()
    if current is not None:
        raise InvalidInput(f"该村民小组已有信息员：{current.name}，请先办理离岗", fields={"region": [f"已有信息员：{current.name}"]})
    return _save_post(
        NetworkPost(role=PostRole.INFO_OFFICER, name=name, phone=phone, user=user, region=group, start_on=start_on, note=note)
    )


# --- school safety information officers (安全信息员) --------------------------------------


@transaction.atomic
def safety_officer_post(
    *,
    actor,
    name: str,
    school: Unit | None,
    start_on: date,
    phone: str = "",
    user: User | None = None,
    note: str = "",
) -> NetworkPost:
    """1 to `safety_officers_max` (3) active officers per school; the school row is locked while counting."""
    require_network_manager(actor)
    policy = NetworkPolicy.current()
    name, phone = _clean_name(name), _clean_phone(phone)
    if school is None:
        raise InvalidInput("请选择学校", fields={"school": ["请选择学校"]})
    if school.kind != UnitKind.SCHOOL:
        raise InvalidInput(f"“{school.name}”不是学校", fields={"school": ["请选择学校"]})
    Unit.objects.select_for_update().filter(pk=school.pk).first()
    active = list(_active_posts().filter(role=PostRole.SAFETY_OFFICER, school=school).values_list("name", flat=True))
    if len(active) >= policy.safety_officers_max:
        raise InvalidInput(
            f"{school.name}已有 {len(active)} 名安全信息员（{'、'.join(active)}），每校最多 {policy.safety_officers_max} 名，请先办理离岗",
            fields={"school": [f"每校最多 {policy.safety_officers_max} 名"]},
        )
    if name in active:
        raise InvalidInput(f"{name} 已是{school.name}的安全信息员", fields={"name": ["已在岗"]})
    return _save_post(
        NetworkPost(role=PostRole.SAFETY_OFFICER, name=name, phone=phone, user=user, school=school, start_on=start_on, note=note)
    )


# --- one entry for forms and the import ---------------------------------------------------


def _user_by_username(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidInput(f"登录账号 {username} 不存在或已停用", fields={"username": ["账号不存在"]})
    return user


def network_post_create(*, actor, role: str, **data) -> list[NetworkPost]:
    """Dispatch to the rule of `role`. `data` holds the fields of the post form / import row."""
    username = (data.pop("username", "") or "").strip()
    if username:
        data["user"] = _user_by_username(username)
    common = {k: data.get(k) for k in ("name", "phone", "user", "note") if data.get(k) is not None}
    start_on = data.get("start_on") or date.today()
    if role == PostRole.SUPERVISOR:
        return [
            supervisor_post(
                actor=actor,
                supervision_group=data.get("supervision_group"),
                home_unit=data.get("home_unit"),
                birth_date=data.get("birth_date"),
                trained_on=data.get("trained_on"),
                selected_on=data.get("selected_on"),
                start_on=start_on,
                end_on=data.get("end_on"),
                **common,
            )
        ]
    if role == PostRole.HANDLER:
        villages = data.get("villages") or ([data["region"]] if data.get("region") else [])
        return handler_post(actor=actor, home_unit=data.get("home_unit"), villages=villages, start_on=start_on, **common)
    if role == PostRole.LIAISON:
        return [liaison_post(actor=actor, village=data.get("region"), home_unit=data.get("home_unit"), start_on=start_on, **common)]
    if role == PostRole.INFO_OFFICER:
        return [info_officer_post(actor=actor, group=data.get("region"), start_on=start_on, **common)]
    if role == PostRole.SAFETY_OFFICER:
        return [safety_officer_post(actor=actor, school=data.get("school"), start_on=start_on, **common)]
    raise InvalidInput("请选择岗位类型", fields={"role": ["岗位类型不正确"]})


@transaction.atomic
def network_post_end(*, actor, post: NetworkPost, ended_on: date | None = None, reason: str = "") -> NetworkPost:
    """Leave a post: sets `ended_on` (the row is kept). A second, concurrent end is a conflict."""
    require_network_manager(actor)
    ended_on = ended_on or date.today()
    if ended_on < post.start_on:
        raise InvalidInput("离岗日期不能早于上岗日期", fields={"ended_on": ["离岗日期不能早于上岗日期"]})
    reason = (reason or "").strip()
    note = (f"{post.note}；离岗：{reason}" if post.note else f"离岗：{reason}") if reason else post.note
    updated = NetworkPost.objects.filter(pk=post.pk, ended_on__isnull=True).update(ended_on=ended_on, note=note[:200])
    if not updated:
        raise Conflict(f"{post.name} 已于此前办理离岗")
    post.ended_on, post.note = ended_on, note[:200]
    return post


# --- supervision groups and leading groups -----------------------------------------------


@transaction.atomic
def supervision_group_add_township(*, actor, group: SupervisionGroup, township: Region | None) -> SupervisionGroup:
    require_network_manager(actor)
    township = _require_level(township, RegionLevel.TOWNSHIP, "township", "乡镇/街道")
    other = township.supervision_groups.exclude(pk=group.pk).first()
    if other is not None:
        raise InvalidInput(f"{township.name}已由{other.name}包联", fields={"township": [f"已由{other.name}包联"]})
    group.townships.add(township)
    return group


@transaction.atomic
def supervision_group_create(*, actor, code: str, name: str, townships: list[Region] = ()) -> SupervisionGroup:
    require_network_manager(actor)
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise InvalidInput("请填写督查组代码和名称", fields={"code": ["必填"], "name": ["必填"]})
    if SupervisionGroup.objects.filter(code=code).exists():
        raise InvalidInput(f"督查组代码 {code} 已存在", fields={"code": ["代码已存在"]})
    group = SupervisionGroup.objects.create(code=code, name=name)
    for township in townships:
        supervision_group_add_township(actor=actor, group=group, township=township)
    return group


@transaction.atomic
def leading_group_member_add(
    *, actor, unit: Unit, name: str, position: str, post: str = "", user: User | None = None, username: str = ""
) -> LeadingGroupMember:
    """信访工作领导小组: one head (组长) per unit. A linked account (`user`) lets the member act for
    the unit where other apps allow it (e.g. a school's head manages its safety officers)."""
    require_network_manager(actor)
    name = _clean_name(name)
    if username and username.strip():
        user = _user_by_username(username.strip())
    if position not in LeadingGroupMember.Position.values:
        raise InvalidInput("请选择职位（组长、副组长或成员）", fields={"position": ["职位不正确"]})
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    if position == LeadingGroupMember.Position.HEAD:
        head = LeadingGroupMember.objects.filter(unit=unit, position=LeadingGroupMember.Position.HEAD).first()
        if head is not None:
            raise InvalidInput(f"{unit.name}信访工作领导小组已有组长：{head.name}", fields={"position": [f"已有组长：{head.name}"]})
    if LeadingGroupMember.objects.filter(unit=unit, name=name).exists():
        raise InvalidInput(f"{name} 已在{unit.name}信访工作领导小组中", fields={"name": ["已在领导小组中"]})
    try:
        with transaction.atomic():
            return LeadingGroupMember.objects.create(unit=unit, name=name, post=(post or "").strip()[:64], position=position, user=user)
    except IntegrityError as exc:
        raise Conflict("组长刚被他人设置，请刷新后查看") from exc
