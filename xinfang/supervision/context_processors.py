from xinfang.supervision.notifications import unread_count


def inbox_unread(request):
    """`inbox_unread`: the signed-in user's unread messages (the base layout shows it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"inbox_unread": 0}
    return {"inbox_unread": unread_count(user)}
