from xinfang.core.navigation import sections_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    current = request.path
    sections = sections_for(user)
    active = max((s for s in sections if current.startswith(s.path)), key=lambda s: len(s.path), default=None)
    return {"nav_sections": sections, "nav_active": active.key if active else ""}
