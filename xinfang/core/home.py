"""Home-page panels. Each app may register a function that returns panels for a user:
`register_home_panel(fn)` where fn(user) -> list[dict(title, items=[(label, value, url)])]."""

_PANELS = []


def register_home_panel(fn):
    _PANELS.append(fn)
    return fn


def _opens(user, url: str) -> bool:
    """May the user open the page an item links to (a reviewer only its own pages, core.navigation.REVIEWER_PAGES)?"""
    from django.urls import Resolver404, resolve

    from xinfang.core.navigation import reviewer_may_open

    try:
        match = resolve(url.split("?")[0].split("#")[0] or "/")
    except Resolver404:
        return True  # an anchor or an outside link: nothing to open here
    return reviewer_may_open(user, match.view_name or "", match.route)


def home_panels(user) -> list[dict]:
    """Each panel decides by the user's roles; a reviewer of an organ above the county keeps only the items that lead to
    its own pages (and a panel with none left is dropped)."""
    from xinfang.core.navigation import confined_to_reviews

    confined = confined_to_reviews(user)
    panels = []
    for fn in _PANELS:
        for panel in fn(user) or []:
            if confined:
                items = [item for item in panel.get("items", []) if _opens(user, item[2] if len(item) > 2 else "")]
                if not items:
                    continue
                panel = {**panel, "items": items}
            panels.append(panel)
    return panels
