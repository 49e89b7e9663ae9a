"""Several mailboxes (issue 21): each routed to a contact, each fetched on its own, one message
delivered to two of them imported once, and replies sent from the address the customer wrote to
through that mailbox's own SMTP server."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.urls import reverse

from comptoir.lib.secretbox import seal
from comptoir.mail.fetch import mailboxes_sync_due
from comptoir.mail.models import InboundMail, InboundStatus, Mailbox, SmtpSecurity
from comptoir.mail.outbox import outbox_deliver
from comptoir.mail.process import inbound_process_pending
from comptoir.testing import SmtpServer, SmtpSink, logged_in_client, make_thread
from comptoir.threads import services as thread_services
from comptoir.threads.defaults import default_contacts_ensure
from comptoir.threads.models import Contact, OutboundEmail, Thread

pytestmark = pytest.mark.django_db


def contacts() -> tuple[Contact, Contact]:
    default_contacts_ensure()
    service = Contact.objects.get(name__en="Customer service")
    webmaster = Contact.objects.get(name__en="Webmaster")
    return service, webmaster


def mail(n: int, *, to: str, message_id: str | None = None, received: str = "") -> bytes:
    return (
        f"{received}"
        f"From: Alice Doe <alice@example.com>\r\n"
        f"To: {to}\r\n"
        f"Subject: Question {n}\r\n"
        f"Date: Tue, 4 Mar 2025 10:21:00 +0100\r\n"
        f"Message-ID: <{message_id or f'q-{n}@example.com'}>\r\n"
        f"MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n"
        f"\r\n"
        f"Hello, question {n}.\r\n"
    ).encode()


def dovecot_mailbox(server, user: str, password: str, **fields) -> Mailbox:
    return Mailbox.objects.create(
        name=user,
        host=server.host,
        port=server.imap,
        username=user,
        password_sealed=seal(password, secret_key=settings.SECRET_KEY),
        ca_file=server.cafile,
        **fields,
    )


# --- the pages ------------------------------------------------------------------------------------


def form(**overrides):
    data = {
        "name": "Support",
        "email_address": "support@shop.test",
        "contact": "",
        "host": "imap.shop.test",
        "username": "support@shop.test",
        "password": "imap-secret",
        "folder": "INBOX",
        "validate_cert": "on",
        "create_threads": "on",
        "smtp_security": "starttls",
    }
    data.update(overrides)
    return data


def test_administrators_add_two_mailboxes_each_routed_to_a_contact(charlie):
    service, webmaster = contacts()
    client = logged_in_client(charlie)

    first = client.post(reverse("mail:mailbox_new"), form(contact=str(service.pk)))
    second = client.post(
        reverse("mail:mailbox_new"),
        form(
            name="Webmaster",
            email_address="webmaster@shop.test",
            username="webmaster@shop.test",
            contact=str(webmaster.pk),
        ),
    )

    assert first.status_code == second.status_code == 302
    boxes = list(Mailbox.objects.order_by("pk").values_list("name", "email_address", "contact"))
    assert boxes == [
        ("Support", "support@shop.test", service.pk),
        ("Webmaster", "webmaster@shop.test", webmaster.pk),
    ]
    page = client.get(reverse("mail:mailbox")).content.decode()
    assert "support@shop.test" in page
    assert "webmaster@shop.test" in page
    assert "Customer service" in page
    assert "Webmaster" in page


def test_a_mailbox_keeps_its_own_settings_and_can_be_removed(charlie):
    client = logged_in_client(charlie)
    client.post(reverse("mail:mailbox_new"), form())
    client.post(reverse("mail:mailbox_new"), form(name="Other", host="imap.other.test"))
    first, other = Mailbox.objects.order_by("pk")

    client.post(reverse("mail:mailbox_edit", args=[first.pk]), form(folder="Support", password=""))
    response = client.post(reverse("mail:mailbox_delete", args=[other.pk]))

    assert response.status_code == 302
    assert list(Mailbox.objects.values_list("name", "folder")) == [("Support", "Support")]


def test_the_smtp_password_is_sealed_and_must_be_typed_again_for_another_server(charlie):
    client = logged_in_client(charlie)
    client.post(
        reverse("mail:mailbox_new"),
        form(smtp_host="smtp.shop.test", smtp_username="support", smtp_password="smtp-secret"),
    )
    mailbox = Mailbox.objects.get()
    assert "smtp-secret" not in mailbox.smtp_password_sealed
    page = client.get(reverse("mail:mailbox_edit", args=[mailbox.pk])).content.decode()
    assert "smtp-secret" not in page
    assert "An SMTP password is saved." in page

    response = client.post(
        reverse("mail:mailbox_edit", args=[mailbox.pk]),
        form(password="", smtp_host="smtp.elsewhere.test", smtp_username="support"),
    )

    assert response.status_code == 400
    assert "Type the SMTP password again" in response.content.decode()
    assert Mailbox.objects.get().smtp_host == "smtp.shop.test"


def test_a_bad_smtp_host_or_port_is_a_form_error_not_a_500(charlie):
    client = logged_in_client(charlie)

    response = client.post(
        reverse("mail:mailbox_new"), form(smtp_host="smtp://x y", smtp_port="70000")
    )

    assert response.status_code == 400
    assert not Mailbox.objects.exists()


@pytest.mark.parametrize("count", [1, 8])
def test_the_mailboxes_page_runs_a_bounded_number_of_queries(
    charlie, count, django_assert_max_num_queries
):
    service, _webmaster = contacts()
    for n in range(count):
        Mailbox.objects.create(name=f"Box {n}", host=f"imap{n}.test", contact=service)
    client = logged_in_client(charlie)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("mail:mailbox"))

    assert response.status_code == 200
    assert response.content.decode().count("imap") >= count


# --- routing and one message in two mailboxes, against a real Dovecot -----------------------------


@pytest.mark.dovecot
def test_two_mailboxes_are_routed_to_their_contacts(inbox):
    service, webmaster = contacts()
    dovecot_mailbox(inbox, "alice", "alicepw", contact=service)
    dovecot_mailbox(inbox, "bob", "bobpw", contact=webmaster)
    inbox.append(mail(1, to="support@shop.test"), user="alice")
    inbox.append(mail(2, to="webmaster@shop.test"), user="bob")

    reports = mailboxes_sync_due(worker_name="w1")
    inbound_process_pending()

    assert [report.ok for report in reports] == [True, True]
    threads = dict(InboundMail.objects.values_list("subject", "thread__contact_id"))
    assert threads == {"Question 1": service.pk, "Question 2": webmaster.pk}


@pytest.mark.dovecot
def test_one_message_delivered_to_two_mailboxes_is_imported_once(inbox):
    service, webmaster = contacts()
    dovecot_mailbox(inbox, "alice", "alicepw", contact=service)
    dovecot_mailbox(inbox, "bob", "bobpw", contact=webmaster)
    # The same message, with each server's own trace header: other bytes, same Message-ID.
    inbox.append(
        mail(3, to="support@shop.test, webmaster@shop.test", received="Delivered-To: alice\r\n"),
        user="alice",
    )
    inbox.append(
        mail(3, to="support@shop.test, webmaster@shop.test", received="Delivered-To: bob\r\n"),
        user="bob",
    )

    mailboxes_sync_due(worker_name="w1")
    inbound_process_pending()

    assert InboundMail.objects.count() == 2
    statuses = sorted(InboundMail.objects.values_list("status", flat=True))
    assert statuses == [InboundStatus.IGNORED, InboundStatus.IMPORTED]
    assert Thread.objects.count() == 1
    assert Thread.objects.get().messages.count() == 1
    ignored = InboundMail.objects.get(status=InboundStatus.IGNORED)
    # Recognised as a copy (same Message-ID, sender and content: ``mail/copies.py``) when stored.
    assert ignored.decision.startswith("copy of imap:")


@pytest.mark.dovecot
def test_the_same_message_id_from_another_sender_is_another_message(inbox):
    dovecot_mailbox(inbox, "alice", "alicepw")
    dovecot_mailbox(inbox, "bob", "bobpw")
    inbox.append(mail(4, to="support@shop.test", message_id="same@x"), user="alice")
    other = mail(4, to="support@shop.test", message_id="same@x").replace(
        b"Alice Doe <alice@example.com>", b"Mallory <mallory@example.com>"
    )
    inbox.append(other, user="bob")

    mailboxes_sync_due(worker_name="w1")
    inbound_process_pending()

    assert Thread.objects.count() == 2


@pytest.mark.dovecot
def test_a_mailbox_with_a_wrong_password_delays_nothing_of_the_other(inbox):
    broken = dovecot_mailbox(inbox, "alice", "wrong")
    working = dovecot_mailbox(inbox, "bob", "bobpw")
    inbox.append(mail(5, to="webmaster@shop.test"), user="bob")

    started = time.monotonic()
    reports = {report.mailbox_id: report for report in mailboxes_sync_due(worker_name="w1")}
    elapsed = time.monotonic() - started

    assert reports[working.pk].ok
    assert reports[working.pk].fetched == 1
    assert not reports[broken.pk].ok
    assert "Login failed for user alice" in reports[broken.pk].error
    assert elapsed < 5
    # The failing one waits for its back-off; the working one is fetched on every round.
    inbox.append(mail(6, to="webmaster@shop.test"), user="bob")
    Mailbox.objects.filter(pk=working.pk).update(next_sync_at=broken.next_sync_at)
    again = mailboxes_sync_due(worker_name="w1")
    assert [report.mailbox_id for report in again] == [working.pk]
    assert again[0].fetched == 1


# --- sending from the address the customer wrote to ----------------------------------------------


@pytest.fixture
def mailbox_smtp():
    server = SmtpServer(SmtpSink())
    server.start()
    yield server.sink
    server.stop()


def mailbox_with_smtp(name: str, address: str, contact: Contact, sink) -> Mailbox:
    """A mailbox routed to ``contact`` whose e-mails leave through ``sink`` (no TLS)."""
    return Mailbox.objects.create(
        name=name,
        email_address=address,
        contact=contact,
        smtp_host=sink.host,
        smtp_port=sink.port,
        smtp_security=SmtpSecurity.NONE,
    )


def test_a_reply_leaves_through_the_smtp_server_of_the_mailbox_it_is_sent_from(
    bob, charlie, smtp, mailbox_smtp
):
    service, webmaster = contacts()
    Contact.objects.filter(pk=webmaster.pk).update(email="webmaster@shop.test")
    mailbox_with_smtp("Webmaster", "webmaster@shop.test", webmaster, mailbox_smtp)
    to_webmaster = make_thread(contact=Contact.objects.get(pk=webmaster.pk), text="Broken link")
    to_service = make_thread(contact=service, email="zed@example.com", text="Parcel?")
    thread_services.thread_reply(thread=to_webmaster, employee=bob, text="Fixed, thanks.")
    thread_services.thread_reply(thread=to_service, employee=bob, text="On its way.")

    report = outbox_deliver()

    assert report.sent == 2
    (through_mailbox,) = mailbox_smtp.parsed()
    assert through_mailbox["From"].addresses[0].addr_spec == "webmaster@shop.test"
    assert "Fixed, thanks." in through_mailbox.get_content()
    (through_default,) = smtp.parsed()
    assert "On its way." in through_default.get_content()
    via = OutboundEmail.objects.get(thread=to_webmaster).sent_via
    assert via == f"{mailbox_smtp.host}:{mailbox_smtp.port}"
    assert OutboundEmail.objects.get(thread=to_service).sent_via == ""
    page = logged_in_client(charlie).get(reverse("desk:thread", args=[to_webmaster.pk]))
    assert f"Sent from webmaster@shop.test through {via}" in page.content.decode()


def test_a_contact_without_an_address_answers_from_the_mailbox_routed_to_it(
    bob, smtp, mailbox_smtp
):
    # The administrator routed support@ to "Customer service" but left the contact's own address
    # empty: the customer wrote to support@, so the answer comes from support@, through its
    # server (Google and Microsoft refuse or flag mail sent as their domain from elsewhere).
    service, _webmaster = contacts()
    Contact.objects.filter(pk=service.pk).update(email="")
    mailbox_with_smtp("Support", "support@shop.test", service, mailbox_smtp)
    thread = make_thread(contact=Contact.objects.get(pk=service.pk), text="Parcel?")
    thread_services.thread_reply(thread=thread, employee=bob, text="On its way.")

    assert outbox_deliver().sent == 1
    (sent,) = mailbox_smtp.parsed()
    assert sent["From"].addresses[0].addr_spec == "support@shop.test"
    assert sent["From"].addresses[0].display_name == "Customer service"
    assert not smtp.messages
