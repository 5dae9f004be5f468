from xinfang.core.navigation import confined_to_reviews, sections_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    current = request.path
    sections = sections_for(user)
    # "首页" ("/") is active on the home page only, not on every page no section claims (e.g. /inbox/).
    matching = (s for s in sections if current == s.path or (s.path != "/" and current.startswith(s.path)))
    active = max(matching, key=lambda s: len(s.path), default=None)
    # Pages show "登记" buttons (e.g. 登记来访 on the reception roster) only to roles that may register.
    can_register = any(s.key == "register" for s in sections)
    # A reviewer of an organ above the county: pages leave out what links the county's own work (supervision panel).
    return {
        "nav_sections": sections,
        "nav_active": active.key if active else "",
        "can_register": can_register,
        "confined_reviewer": confined_to_reviews(user),
    }
