"""The query code between registration and the receipt page: kept in the clerk's session under a one-time token.

The registration POST redirects to the receipt with the token (post-redirect-get). The first view of that address shows
the code and marks it shown; a reload, the back button or any later visit shows 已告知 instead (the code is a secret of
the petitioner's, "只显示这一次"). The printed receipt may carry the code for a few minutes after registration, with the
same token (a PDF viewer fetches its file more than once). 完成 forgets the code. The plain code is never stored
elsewhere; a lost code is replaced by a new one (portal.services.query_code_reissue, an event on the history).
"""

import secrets
from datetime import datetime, timedelta

from django.utils import timezone

SESSION_KEY = "petition_receipt_codes"
PRINT_MINUTES = 10
KEEP = 5  # receipts a clerk may have open at once (several registrations in a row)


def _entries(session) -> dict:
    entries = session.get(SESSION_KEY)
    return entries if isinstance(entries, dict) else {}


def _fresh(entry: dict, now: datetime) -> bool:
    try:
        return now - datetime.fromisoformat(entry["at"]) <= timedelta(minutes=PRINT_MINUTES)
    except (KeyError, TypeError, ValueError):
        return False


def keep(session, reg_no: str, code: str) -> str:
    """Keep the code for its receipt; returns the one-time token for the receipt's address."""
    now = timezone.now()
    entries = {t: e for t, e in _entries(session).items() if _fresh(e, now)}
    token = secrets.token_urlsafe(16)
    entries[token] = {"reg_no": reg_no, "code": code, "at": now.isoformat(), "shown": False}
    session[SESSION_KEY] = dict(list(entries.items())[-KEEP:])
    return token


def show_once(session, reg_no: str, token: str) -> str:
    """The code on the first view of its receipt, then "" for good."""
    entries = _entries(session)
    entry = entries.get(token)
    if not entry or entry.get("reg_no") != reg_no or entry.get("shown"):
        return ""
    entry["shown"] = True
    session[SESSION_KEY] = entries
    return entry.get("code", "")


def printable(session, reg_no: str, token: str) -> str:
    """The code for the printed receipt while its receipt is fresh, else ""."""
    entry = _entries(session).get(token)
    if not entry or entry.get("reg_no") != reg_no or not _fresh(entry, timezone.now()):
        return ""
    return entry.get("code", "")


def drop(session, token: str) -> None:
    entries = _entries(session)
    if entries.pop(token, None) is not None:
        session[SESSION_KEY] = entries
