"""The navigation shell: sections, where they live, and which roles see them."""

from dataclasses import dataclass

from xinfang.org.models import Role, UnitKind

STAFF = {Role.ADMIN, Role.CLERK, Role.OFFICE, Role.LEADER, Role.UNIT_HANDLER, Role.SUPERVISOR}
NETWORK = {Role.SUPERVISOR, Role.LIAISON, Role.INFO_OFFICER}
# A review organ above the county (Role.REVIEWER) works on the reviews asked of it: its worklist and the knowledge base;
# the county's registration, network, schools, statistics and settings are not its work (every other section's roles
# leave it out, and so do the pages' own role checks).
REVIEWER = {Role.REVIEWER}


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
    Section("worklist", "待办", "/petitions/", frozenset(STAFF | REVIEWER)),
    Section("supervision", "督办", "/supervision/", frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.SUPERVISOR, Role.UNIT_HANDLER})),
    Section("reception", "接待值班", "/reception/", frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.CLERK})),
    Section("grassroots", "基层", "/grassroots/", frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, *NETWORK})),
    Section("safety", "校园安全", "/safety/", frozenset({Role.ADMIN, Role.OFFICE, Role.SAFETY_OFFICER})),
    Section("stats", "统计", "/stats/", frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.VIEWER})),
    Section("knowledge", "应知应会", "/knowledge/", frozenset(STAFF | NETWORK | REVIEWER)),
    Section("transfer", "导入导出", "/transfer/", frozenset({Role.ADMIN, Role.OFFICE, Role.CLERK})),
    Section("settings", "设置", "/org/", frozenset({Role.ADMIN, Role.OFFICE})),
    # Auditors read the whole access log; the office, the log of the petitions it registered (access.selectors).
    Section("access_log", "查看记录", "/access/log/", frozenset({Role.ADMIN, Role.OFFICE})),
]


def sections_for(user) -> list[Section]:
    if not user.is_authenticated:
        return []
    roles = set(user.role_codes)
    if user.is_superuser:
        roles.add(Role.ADMIN)
    sections = [s for s in SECTIONS if roles & s.roles]
    # Township cadres (unit handlers of a township government) screen and mediate disputes too.
    if Role.UNIT_HANDLER in roles and user.unit_id and user.unit.kind == UnitKind.TOWNSHIP:
        grassroots = next(s for s in SECTIONS if s.key == "grassroots")
        if grassroots not in sections:
            sections.append(grassroots)
            sections.sort(key=SECTIONS.index)
    return sections


# The pages and API a reviewer's work needs (URL names), the only ones it opens: home, the worklist and its petitions
# (the access policy scopes them to the reviews asked of the organ), the knowledge base, its messages and own account.
# Many county pages scope their data by role or region and do not refuse a role they never expected, so the rule is
# kept here once and applied before every view (core.confine for pages, api.permissions for the API): 403 elsewhere.
REVIEWER_PAGES = frozenset(
    {
        "home",
        "login",
        "logout",
        "inbox",
        "inbox_read",
        "petitions:worklist",
        "petitions:detail",
        "petitions:act",
        "petitions:document",
        "petitions:document_pdf",
        "petitions:attachment",
        # The case file a review organ reviews (the dossier with its attachments list) and the registration receipt.
        "petitions:receipt_pdf",
        "transfer:dossier",
        # The worklist's own export (the same scope as the list).
        "transfer:export_csv",
        "transfer:export_xlsx",
        "knowledge:library",
        "knowledge:detail",
        "api-me",
        "api-token",
        "api-token-revoke",
        "api-logout",
        "api-logout-all",
        "api-inbox",
        "api-inbox-read",
        "api-petitions",
        "api-petition",
        "api-petition-action",
        "api-petition-events",
        "api-petition-documents",
        "api-petition-document",
        "api-knowledge-articles",
    }
)
# Open to everyone (the petitioner's portal, Open311, the public API, health checks): not the county's staff pages.
PUBLIC_PREFIXES = ("portal:", "open311:")
REVIEWER_REFUSED = "复查复核机关的账号只能办理向本机关提出的复查、复核（待办、信访件、应知应会），不能打开县里的这个页面"


def confined_to_reviews(user) -> bool:
    """A reviewer holding no county role: its requests go only to REVIEWER_PAGES."""
    if not (user is not None and user.is_authenticated) or user.is_superuser:
        return False
    roles = set(user.role_codes)
    return Role.REVIEWER in roles and roles <= {str(Role.REVIEWER)}


def reviewer_may_open(user, url_name: str, route: str = "") -> bool:
    if not confined_to_reviews(user):
        return True
    public = url_name.startswith(PUBLIC_PREFIXES) or route.startswith(("api/v1/public/", "health"))
    return public or url_name in REVIEWER_PAGES
