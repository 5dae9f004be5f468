"""Home-page panels. Each app may register a function that returns panels for a user:
`register_home_panel(fn)` where fn(user) -> list[dict(title, items=[(label, value, url)])]."""

_PANELS = []


def register_home_panel(fn):
    _PANELS.append(fn)
    return fn


def home_panels(user) -> list[dict]:
    """Each panel decides by the user's roles (a reviewer of an organ above the county gets its worklist and knowledge)."""
    panels = []
    for fn in _PANELS:
        panels.extend(fn(user) or [])
    return panels
