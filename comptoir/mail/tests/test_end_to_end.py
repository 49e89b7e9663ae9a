"""The whole loop against real servers: a customer writes through the contact form, an employee
replies, the reply reaches the customer's mailbox on Dovecot, the customer answers from their mail
client, and the answer shows up in the thread, re-opened and unread."""

import email
import time
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from unittest import mock

import pytest
from django.utils import timezone

from comptoir.contact_form.forms import form_token
from comptoir.lib.secretbox import seal
from comptoir.mail.models import Mailbox
from comptoir.ops.worker import Worker
from comptoir.testing import SmtpServer, SmtpSink, default_contact
from comptoir.threads import services
from comptoir.threads.models import Status, Thread

pytestmark = [pytest.mark.dovecot, pytest.mark.django_db]
SHOP = "shop@comptoir.test"


class DeliverToDovecot(SmtpSink):
    """An SMTP server that delivers into Dovecot mailboxes, as the shop's mail host would."""

    def __init__(self, dovecot):
        super().__init__()
        self.dovecot = dovecot

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            user = "alice" if rcpt == "alice@example.com" else "bob"
            self.dovecot.append(envelope.content, user=user)
        return "250 delivered"


def newest(dovecot, user):
    conn = dovecot.connect(user)
    try:
        conn.select("INBOX")
        _typ, data = conn.search(None, "ALL")
        last = data[0].split()[-1]
        _typ, fetched = conn.fetch(last, "(BODY.PEEK[])")
        return email.message_from_bytes(fetched[0][1], policy=policy.default)
    finally:
        conn.logout()


def test_a_reply_by_email_comes_back_into_its_thread(client, bob, inbox, settings):
    contact = default_contact()
    contact.email = SHOP
    contact.save()
    server = SmtpServer(DeliverToDovecot(inbox))
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.sink.host, server.sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    Mailbox.objects.create(
        host=inbox.host,
        port=inbox.imap,
        username="bob",
        password_sealed=seal("bobpw", secret_key=settings.SECRET_KEY),
        ca_file=inbox.cafile,
        create_threads=True,
    )
    worker = Worker(name="e2e")
    try:
        # 1. The customer writes through the contact form.
        with mock.patch("time.time", return_value=time.time() - 10):
            token = form_token()
        response = client.post(
            "/contact/",
            {
                "contact": contact.pk,
                "email": "alice@example.com",
                "message": "Bonjour, où est mon colis ?",
                "form_token": token,
                "website": "",
            },
        )
        assert response.status_code == 302
        thread = Thread.objects.get()

        # 2. An employee answers; the worker delivers it into Alice's mailbox.
        services.thread_reply(thread=thread, employee=bob, text="Il est parti ce matin.")
        worker.run_once()
        reply = newest(inbox, "alice")
        assert "Il est parti ce matin." in reply.get_body(("plain",)).get_content()
        assert f"#ct{thread.pk}" in reply["Subject"]

        # 3. Alice answers from her mail client, to the shop's mailbox (user bob on Dovecot).
        answer = EmailMessage()
        answer["From"] = "Alice Doe <alice@example.com>"
        answer["To"] = str(reply["From"])
        answer["Subject"] = "Re: " + str(reply["Subject"]).strip()
        answer["Message-ID"] = make_msgid(domain="example.com")
        answer["In-Reply-To"] = str(reply["Message-ID"]).strip()
        answer["References"] = f"{reply.get('References', '')} {str(reply['Message-ID']).strip()}"
        answer.set_content(
            "Merci, mais il n'est toujours pas arrivé.\n\n"
            "Le lun. 23 nov. 2026, Service client a écrit :\n> Il est parti ce matin.\n"
        )
        inbox.append(answer.as_bytes(), user="bob")

        # 4. "Run sync", then one round of the worker: fetch, store, match, import.
        Mailbox.objects.update(sync_requested_at=timezone.now())
        worker.run_once()
    finally:
        server.stop()
    thread.refresh_from_db()
    last = thread.messages.latest("id")
    assert last.author == "customer"
    assert last.text == "Merci, mais il n'est toujours pas arrivé."
    assert "Il est parti ce matin." in last.quoted_text
    assert thread.status == Status.OPEN
    assert thread.is_unread
    assert Thread.objects.count() == 1
    # Another sync imports nothing twice.
    Mailbox.objects.update(sync_requested_at=timezone.now())
    worker.run_once()
    assert thread.messages.count() == 3
