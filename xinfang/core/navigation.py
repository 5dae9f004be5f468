"""The navigation shell: sections, where they live, and which roles see them."""

from dataclasses import dataclass

from xinfang.org.models import ABOVE_THE_COUNTY, Role, UnitKind

STAFF = {Role.ADMIN, Role.CLERK, Role.OFFICE, Role.LEADER, Role.UNIT_HANDLER, Role.SUPERVISOR}
NETWORK = {Role.SUPERVISOR, Role.LIAISON, Role.INFO_OFFICER}
UPPER_ORGAN_SECTIONS = {"home", "worklist", "knowledge"}
# The apps whose home panels such a user gets (the same work as the sections above).
UPPER_ORGAN_APPS = {"petitions", "knowledge"}


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    path: str
    roles: frozenset


SECTIONS = [
    Section("home", "首页", "/", frozenset(Role.values)),
    # Registering is the clerk's and the office's work (petitions.views.register allows only them).
    Section("register", "登记", "/petitions/register/", frozenset({Role.CLERK, Role.OFFICE})),
    Section("worklist", "待办", "/petitions/", frozenset(STAFF)),
    Section("supervision", "督办", "/supervision/", frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.SUPERVISOR, Role.UNIT_HANDLER})),
    Section("reception", "接待值班", "/reception/", frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.CLERK})),
    Section("grassroots", "基层", "/grassroots/", frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, *NETWORK})),
    Section("safety", "校园安全", "/safety/", frozenset({Role.ADMIN, Role.OFFICE, Role.SAFETY_OFFICER})),
    Section("stats", "统计", "/stats/", frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.VIEWER})),
    Section("knowledge", "应知应会", "/knowledge/", frozenset(STAFF | NETWORK)),
    Section("transfer", "导入导出", "/transfer/", frozenset({Role.ADMIN, Role.OFFICE, Role.CLERK})),
    Section("settings", "设置", "/org/", frozenset({Role.ADMIN, Role.OFFICE})),
    # Auditors read the whole access log; the office, the log of the petitions it registered (access.selectors).
    Section("access_log", "查看记录", "/access/log/", frozenset({Role.ADMIN, Role.OFFICE})),
]


def is_upper_organ_user(user) -> bool:
    """A user of a city or province organ held in the deployment: their work is the reviews asked of that organ."""
    return bool(user.is_authenticated and user.unit_id and not user.is_superuser and user.unit.region.level in ABOVE_THE_COUNTY)


def sections_for(user) -> list[Section]:
    if not user.is_authenticated:
        return []
    roles = set(user.role_codes)
    if user.is_superuser:
        roles.add(Role.ADMIN)
    sections = [s for s in SECTIONS if roles & s.roles]
    # A city or province organ held in the deployment works on the reviews asked of it (issue 13): its worklist and the
    # knowledge base; the county's registration, network, schools, statistics and settings are not its work.
    if is_upper_organ_user(user):
        sections = [s for s in sections if s.key in UPPER_ORGAN_SECTIONS]
    # Township cadres (unit handlers of a township government) screen and mediate disputes too.
    if Role.UNIT_HANDLER in roles and user.unit_id and user.unit.kind == UnitKind.TOWNSHIP:
        grassroots = next(s for s in SECTIONS if s.key == "grassroots")
        if grassroots not in sections:
            sections.append(grassroots)
            sections.sort(key=SECTIONS.index)
    return sections
