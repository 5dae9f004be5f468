"""The inbox and the pluggable senders.

`notify(...)` writes one inbox row (once per `dedupe_key`) and defers the SMS / e-mail copies
to `transaction.on_commit`, so nothing is sent for a transaction that rolls back.

A provider implements `Sender` (a class with `channel` and `send(message)`) and is named
by dotted path in the settings `XINFANG_SMS_SENDER` / `XINFANG_EMAIL_SENDER`. The default
`FileSender` appends JSON lines to `var/outbox/sms.jsonl` and `var/outbox/email.jsonl`
(directory: `XINFANG_OUTBOX_DIR`); `ConsoleSender` logs them.
"""

import json
import logging
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from xinfang.supervision.models import Notification

log = logging.getLogger(__name__)

DEFAULT_SENDERS = {
    "sms": "xinfang.supervision.notifications.FileSender",
    "email": "xinfang.supervision.notifications.FileSender",
}
SETTING_NAMES = {"sms": "XINFANG_SMS_SENDER", "email": "XINFANG_EMAIL_SENDER"}


@dataclass(frozen=True)
class Message:
    channel: str
    to: str
    recipient_id: int
    title: str
    body: str
    url: str
    kind: str
    dedupe_key: str


class Sender:
    """Interface: deliver one message on one channel ("sms" or "email")."""

    def __init__(self, channel: str):
        self.channel = channel

    def send(self, message: Message) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSender(Sender):
    def send(self, message: Message) -> None:
        log.info("[%s] to=%s %s %s", message.channel, message.to, message.title, message.url)


_file_lock = threading.Lock()


class FileSender(Sender):
    def send(self, message: Message) -> None:
        outbox = Path(getattr(settings, "XINFANG_OUTBOX_DIR", settings.BASE_DIR / "var" / "outbox"))
        outbox.mkdir(parents=True, exist_ok=True)
        line = json.dumps({**asdict(message), "sent_at": timezone.now().isoformat()}, ensure_ascii=False)
        with _file_lock, open(outbox / f"{self.channel}.jsonl", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def get_sender(channel: str) -> Sender:
    path = getattr(settings, SETTING_NAMES[channel], "") or DEFAULT_SENDERS[channel]
    return import_string(path)(channel)


def _deliver(messages: list[Message]) -> None:
    for message in messages:
        try:
            get_sender(message.channel).send(message)
        except Exception:  # a provider outage must not break the request; the inbox row stays
            log.exception("发送%s失败: %s", message.channel, message.dedupe_key)


def _key(dedupe_key: str, recipient) -> str:
    return f"{dedupe_key}:u{recipient.pk}"[:200]


def _copies(recipient, title, body, url, kind, key) -> list[Message]:
    messages = []
    if recipient.phone:
        messages.append(Message("sms", recipient.phone, recipient.pk, title, body, url, kind, key))
    if recipient.email:
        messages.append(Message("email", recipient.email, recipient.pk, title, body, url, kind, key))
    return messages


def notify(*, recipient, title: str, body: str = "", url: str = "", kind: str, dedupe_key: str) -> Notification | None:
    """Write one inbox message (None if this dedupe_key was already written) and send copies after commit."""
    key = _key(dedupe_key, recipient)
    try:
        with transaction.atomic():
            note = Notification.objects.create(recipient=recipient, title=title, body=body, url=url, kind=kind, dedupe_key=key)
    except IntegrityError:
        return None
    messages = _copies(recipient, title, body, url, kind, key)
    if messages:
        transaction.on_commit(lambda: _deliver(messages))
    return note


def notify_batch(items: list[dict]) -> int:
    """Many messages at once (the sweep): items of notify()'s keywords. The same rules as notify_many (no inactive or
    missing recipient, once per recipient and dedupe_key), written in inserts of up to 1,000 rows that skip keys
    already written (`ON CONFLICT DO NOTHING RETURNING`); copies of the rows written go out after commit."""
    rows, seen = [], set()
    for item in items:
        user = item["recipient"]
        if user is None or not user.is_active:
            continue
        key = _key(item["dedupe_key"], user)
        if key not in seen:
            seen.add(key)
            rows.append((user, item["title"], item.get("body", ""), item.get("url", ""), item["kind"], key))
    table = Notification._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    written, messages = 0, []
    for k in range(0, len(rows), 1000):
        chunk = rows[k : k + 1000]
        params = []
        for user, title, body, url, kind, key in chunk:
            params += [user.pk, title, body, url, kind, key, now]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, NULL, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (recipient_id, title, body, url, kind, dedupe_key, read_at, created_at) VALUES {values} "
                "ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key",
                params,
            )
            new = {r[0] for r in cursor.fetchall()}
        written += len(new)
        for user, title, body, url, kind, key in chunk:
            if key in new:
                messages.extend(_copies(user, title, body, url, kind, key))
    if messages:
        transaction.on_commit(lambda: _deliver(messages))
    return written


def notify_many(*, recipients, title: str, body: str = "", url: str = "", kind: str, dedupe_key: str) -> list[Notification]:
    seen, made = set(), []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        note = notify(recipient=user, title=title, body=body, url=url, kind=kind, dedupe_key=dedupe_key)
        if note is not None:
            made.append(note)
    return made


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox_for(user):
    return Notification.objects.filter(recipient=user)


def mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
