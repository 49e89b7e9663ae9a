"""The outbox against a real SMTP server on loopback (aiosmtpd)."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from comptoir.lib.msgid import verify_message_id
from comptoir.mail.outbox import outbox_deliver
from comptoir.testing import SmtpServer, SmtpSink, make_thread
from comptoir.threads import deliveries, services
from comptoir.threads.emails import message_id_key, subject_markers
from comptoir.threads.models import EmailStatus, EventKind, OutboundEmail

pytestmark = pytest.mark.django_db


def reply(bob, text="It left this morning."):
    thread = make_thread(text="Where is my parcel?")
    services.thread_reply(thread=thread, employee=bob, text=text)
    return thread, OutboundEmail.objects.get(thread=thread)


def test_a_reply_is_delivered_with_signed_ids_markers_and_its_text(bob, smtp):
    thread, email = reply(bob)
    report = outbox_deliver()
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    (envelope,) = smtp.messages
    assert envelope.rcpt_tos == ["alice@example.com"]
    (received,) = smtp.parsed()
    assert (
        received["Subject"] == f"An answer to your message is available {subject_markers(thread)}"
    )
    assert received["Message-ID"].strip() == email.header_message_id
    assert verify_message_id(received["Message-ID"].strip(), key=message_id_key()) == thread.pk
    assert received["From"].addresses[0].addr_spec == email.from_email
    assert "Auto-Submitted" not in received
    assert "It left this morning." in received.get_content()
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert email.attempts == 1
    assert email.sent_at is not None


def test_nothing_is_sent_twice(bob, smtp):
    reply(bob)
    outbox_deliver()
    assert outbox_deliver().sent == 0
    assert len(smtp.messages) == 1


def test_server_down_means_retry_later_and_nothing_lost(bob, settings):
    sink = SmtpSink()
    server = SmtpServer(sink)  # not started yet: connections are refused
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = sink.host, sink.port, 5
    _thread, email = reply(bob)

    report = outbox_deliver()
    assert (report.sent, report.retried) == (0, 1)
    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED
    assert email.attempts == 1
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert "Connection refused" in email.last_error or "Errno" in email.last_error
    assert outbox_deliver().retried == 0  # not due yet

    server.start()
    try:
        OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        assert outbox_deliver().sent == 1
        assert outbox_deliver().sent == 0
    finally:
        server.stop()
    assert len(sink.messages) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (EmailStatus.SENT, 2, "")


def test_a_permanent_refusal_fails_with_the_reason_shown_on_the_thread(bob, smtp):
    smtp.refuse["alice@example.com"] = "550 5.1.1 <alice@example.com>: mailbox unknown"
    thread, email = reply(bob)
    report = outbox_deliver()
    assert report.failed == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
    assert "550" in email.last_error
    assert "mailbox unknown" in email.last_error
    event = thread.events.get(kind=EventKind.DELIVERY_FAILED)
    assert event.data["to"] == "alice@example.com"
    assert smtp.messages == []


def test_a_temporary_refusal_is_retried(bob, smtp):
    smtp.refuse["alice@example.com"] = "451 4.3.0 try again later"
    _thread, email = reply(bob)
    assert outbox_deliver().retried == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED


def test_the_last_attempt_fails_for_good(bob, smtp, settings):
    settings.COMPTOIR_OUTBOX_MAX_ATTEMPTS = 2
    smtp.refuse["alice@example.com"] = "451 4.3.0 try again later"
    _thread, email = reply(bob)
    outbox_deliver()
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver().failed == 1


def test_a_failed_email_can_be_retried_by_an_employee(bob, smtp):
    smtp.refuse["alice@example.com"] = "550 no"
    _thread, email = reply(bob)
    outbox_deliver()
    smtp.refuse.clear()
    assert deliveries.outbound_email_retry(email=email, employee=bob)
    assert outbox_deliver().sent == 1
    assert len(smtp.messages) == 1


def test_one_bad_recipient_does_not_stop_the_others(bob, smtp):
    smtp.refuse["alice@example.com"] = "550 no"
    reply(bob)
    thread2 = make_thread(email="zoe@example.com")
    services.thread_reply(thread=thread2, employee=bob, text="Hi Zoe")
    report = outbox_deliver()
    assert (report.sent, report.failed) == (1, 1)
    assert smtp.messages[0].rcpt_tos == ["zoe@example.com"]


def test_a_crashed_worker_lease_is_taken_over(bob, smtp):
    _thread, email = reply(bob)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.SENDING, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_deliver().sent == 1


def test_a_live_lease_is_left_alone(bob, smtp):
    _thread, email = reply(bob)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.SENDING, lease_expires_at=timezone.now() + timedelta(minutes=1)
    )
    assert outbox_deliver().sent == 0


def test_attachments_travel_with_the_reply(bob, smtp):
    import io

    from comptoir.threads.storage import attachment_store

    thread = make_thread()
    file = attachment_store(
        content=io.BytesIO(b"%PDF-1.4 invoice"),
        original_name="invoice.pdf",
        content_type="application/pdf",
    )
    services.thread_reply(thread=thread, employee=bob, text="Your invoice", attachments=[file])
    outbox_deliver()
    (received,) = smtp.parsed()
    (part,) = list(received.iter_attachments())
    assert part.get_filename() == "invoice.pdf"
    assert part.get_content() == b"%PDF-1.4 invoice"


@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_together_send_each_email_once(bob, smtp):
    for n in range(30):
        services.thread_reply(
            thread=make_thread(email=f"c{n}@example.com"), employee=bob, text="Hi"
        )
    errors: list[BaseException] = []

    def drain() -> None:
        from django.db import connection

        try:
            while outbox_deliver(limit=3).sent:
                pass
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=drain) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    recipients = [rcpt for env in smtp.messages for rcpt in env.rcpt_tos]
    assert sorted(recipients) == sorted(f"c{n}@example.com" for n in range(30))
    assert OutboundEmail.objects.filter(status=EmailStatus.SENT).count() == 30


def test_an_attempt_is_counted_before_the_mail_leaves(bob, smtp):
    # A worker killed after the server took the e-mail but before it recorded the result leaves
    # the row to be sent again: the attempt must already be on the row, so that two copies at the
    # recipient match two attempts and never look like one attempt sent twice.
    from comptoir.mail.outbox import outbox_claim

    _thread, email = reply(bob)
    (claimed,) = outbox_claim()
    assert claimed.attempts == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENDING, 1)
    OutboundEmail.objects.filter(pk=email.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_deliver().sent == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 2)
