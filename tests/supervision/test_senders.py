"""Pluggable senders: a provider class named in the settings receives the messages, after commit only."""

import pytest
from django.db import transaction

from xinfang.supervision.notifications import ConsoleSender, FileSender, Message, Sender, get_sender, notify

SENT: list[Message] = []


class RecordingSender(Sender):
    def send(self, message: Message) -> None:
        SENT.append(message)


class BrokenSender(Sender):
    def send(self, message: Message) -> None:
        raise ConnectionError("provider down")


@pytest.fixture(autouse=True)
def _clear():
    SENT.clear()


def test_default_senders_are_file_senders(settings):
    assert isinstance(get_sender("sms"), FileSender) and get_sender("sms").channel == "sms"
    settings.XINFANG_EMAIL_SENDER = "xinfang.supervision.notifications.ConsoleSender"
    assert isinstance(get_sender("email"), ConsoleSender)


@pytest.mark.django_db(transaction=True)
def test_configured_provider_gets_messages_after_commit(settings, people):
    settings.XINFANG_SMS_SENDER = "tests.supervision.test_senders.RecordingSender"
    settings.XINFANG_EMAIL_SENDER = "tests.supervision.test_senders.RecordingSender"
    with transaction.atomic():
        note = notify(recipient=people.office, title="督办提醒", body="正文", url="/supervision/", kind="test", dedupe_key="k1")
        assert note is not None
        assert SENT == []  # nothing leaves before commit
    assert [(m.channel, m.to) for m in SENT] == [("sms", "13900000001"), ("email", "office@example.cn")]
    assert notify(recipient=people.office, title="督办提醒", kind="test", dedupe_key="k1") is None  # once per key
    assert len(SENT) == 2


@pytest.mark.django_db(transaction=True)
def test_a_failing_provider_keeps_the_inbox_message(settings, people):
    settings.XINFANG_SMS_SENDER = "tests.supervision.test_senders.BrokenSender"
    settings.XINFANG_EMAIL_SENDER = "tests.supervision.test_senders.RecordingSender"
    note = notify(recipient=people.office, title="提醒", kind="test", dedupe_key="k2")
    assert note.pk and [m.channel for m in SENT] == ["email"]
