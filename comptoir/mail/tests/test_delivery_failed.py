"""A delivery fails in two ways, the server refusing the e-mail or a bounce coming back later:
both go through ``outbound_email_failed`` and leave the same state and timeline event."""

import pytest

from comptoir.mail import outbox, process
from comptoir.mail.outbox import outbox_deliver
from comptoir.mail.tests.test_process import DSN, receive
from comptoir.testing import make_thread
from comptoir.threads import deliveries, services
from comptoir.threads.models import EmailKind, EmailStatus, EventKind, OutboundEmail, ThreadEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_through_the_service(monkeypatch):
    """The e-mails ``outbound_email_failed`` was called for, from the outbox or a bounce."""
    seen: list[int] = []
    real = deliveries.outbound_email_failed

    def spy(*, email: OutboundEmail, reason: str) -> None:
        seen.append(email.pk)
        real(email=email, reason=reason)

    monkeypatch.setattr(outbox, "outbound_email_failed", spy)
    monkeypatch.setattr(process, "outbound_email_failed", spy)
    return seen


def _replied(bob, address: str) -> OutboundEmail:
    thread = make_thread(email=address, text="Where is my parcel?")
    services.thread_reply(thread=thread, employee=bob, text="It left yesterday.")
    return OutboundEmail.objects.get(thread=thread)


def _failure_of(email: OutboundEmail) -> tuple[str, dict[str, object]]:
    email.refresh_from_db()
    event = ThreadEvent.objects.get(thread=email.thread, kind=EventKind.DELIVERY_FAILED)
    return email.status, event.data


def test_a_refused_and_a_bounced_email_fail_the_same_way(bob, smtp, failed_through_the_service):
    smtp.refuse["alice@example.com"] = "550 5.1.1 <alice@example.com>: mailbox unknown"
    refused = _replied(bob, "alice@example.com")
    bounced = _replied(bob, "gaston@example.com")
    outbox_deliver()
    receive(DSN.format(our_id=bounced.header_message_id).encode())

    assert failed_through_the_service == [refused.pk, bounced.pk]
    for email, to in ((refused, "alice@example.com"), (bounced, "gaston@example.com")):
        status, data = _failure_of(email)
        assert status == EmailStatus.FAILED
        assert data == {"email": email.pk, "to": to, "error": email.last_error[:500]}
    assert "mailbox unknown" in refused.last_error
    assert bounced.last_error.startswith("bounced: ")


def test_a_failed_email_without_a_thread_fails_without_an_event(db):
    email = OutboundEmail.objects.create(
        kind=EmailKind.NOTIFICATION,
        from_email="shop@example.com",
        to_email="contact@example.com",
        subject="A new message",
        body_text="…",
        header_message_id="<n.1@example.com>",
    )
    deliveries.outbound_email_failed(email=email, reason="550 " + "x" * 3000)
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
    assert len(email.last_error) == deliveries.ERROR_LENGTH
    assert not ThreadEvent.objects.exists()
