"""The idle timeout without a write on every request.

Sessions expire after SESSION_COOKIE_AGE (two hours) without activity. Django keeps that by saving the session on every
request (SESSION_SAVE_EVERY_REQUEST), which is an UPDATE and a COMMIT on each page view: on SQLite a write transaction
that queues behind registrations. Here the session is saved again only once REFRESH_SECONDS have passed since its last
save, so an idle session ends between two hours less a minute and two hours after the last request."""

import time

from django.conf import settings

REFRESH_SECONDS = getattr(settings, "XINFANG_SESSION_REFRESH_SECONDS", 60)
KEY = "_xf_saved_at"


class SessionRefreshMiddleware:
    """After SessionMiddleware: marks the session modified when its last save is older than REFRESH_SECONDS, so
    SessionMiddleware saves it and moves its expiry. A session nobody logged into, or one being logged out, is left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None:  # no cookie: nothing to keep alive
            return response
        # Read first: a cookie naming no live session (expired, forged) loads as empty and loses its key, and must not
        # become a new session holding only the mark (a write, and a cookie, on every request that carries it).
        saved_at = session.get(KEY)
        if session.session_key is None or session.is_empty():
            return response
        now = int(time.time())
        if session.modified or saved_at is None or now - int(saved_at) >= REFRESH_SECONDS:
            session[KEY] = now
        return response
