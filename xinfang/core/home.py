"""Home-page panels. Each app may register a function that returns panels for a user:
`register_home_panel(fn)` where fn(user) -> list[dict(title, items=[(label, value, url)])]."""

_PANELS = []


def register_home_panel(fn):
    _PANELS.append(fn)
    return fn


def home_panels(user) -> list[dict]:
    from xinfang.core.navigation import UPPER_ORGAN_APPS, is_upper_organ_user

    upper = is_upper_organ_user(user)  # a city organ's reviewer: the panels of its work only (issue 13)
    panels = []
    for fn in _PANELS:
        app = (fn.__module__.split(".") + [""])[1]  # xinfang.<app>.…
        if upper and app not in UPPER_ORGAN_APPS:
            continue
        panels.extend(fn(user) or [])
    return panels
