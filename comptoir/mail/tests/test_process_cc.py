"""The copies (Cc) of customers' mail (issue 18): kept on the message, offered on the reply,
and never a way into the thread for the people copied."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from comptoir.mail.inbound import inbound_store
from comptoir.mail.models import InboundMail, InboundStatus
from comptoir.mail.process import inbound_process_pending
from comptoir.testing import logged_in_client, make_thread
from comptoir.threads import services
from comptoir.threads.models import Message, Thread

pytestmark = pytest.mark.django_db
_seq = iter(range(10**6))


def mail(*, sender: str, cc: str = "", in_reply_to: str = "", body: str = "Hello") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "Shop <shop@testserver>"
    if cc:
        message["Cc"] = cc
    message["Subject"] = "Mon colis"
    message["Message-ID"] = make_msgid(domain="mail.example.com")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    return message.as_bytes()


def receive(raw: bytes) -> InboundMail:
    stored = inbound_store(mailbox=None, key=f"test:{next(_seq)}", raw=raw)
    assert stored is not None
    inbound_process_pending()
    stored.refresh_from_db()
    return stored


def test_a_customers_mail_with_copies_prefills_the_reply_with_them(bob):
    inbound = receive(
        mail(
            sender="Alice <alice@example.com>",
            cc="Tom <Tom@Example.org>, shop@testserver, Mia <mia@example.net>",
            body="Bonjour, mon mari est en copie.",
        )
    )
    assert inbound.status == InboundStatus.IMPORTED
    thread = Thread.objects.get()
    message = Message.objects.get(thread=thread)
    assert message.cc == "tom@example.org, shop@testserver, mia@example.net"
    page = logged_in_client(bob).get(f"/desk/threads/{thread.pk}/").content.decode()
    # The shop's own address (DEFAULT_FROM_EMAIL here) is left out of the copies offered.
    assert 'name="cc" value="tom@example.org, mia@example.net"' in page
    assert "Cc: tom@example.org, shop@testserver, mia@example.net" in page


def test_a_copied_person_answering_our_reply_does_not_join_the_customers_thread(bob):
    thread = make_thread(email="alice@example.com", text="Where is my parcel?")
    reply = services.thread_reply(
        thread=thread, employee=bob, text="It left.", cc=["tom@example.org"]
    )
    inbound = receive(
        mail(sender="Tom <tom@example.org>", in_reply_to=reply.message_id, body="Refund me!")
    )
    # As any other sender: their own new thread (or review, when new threads are off).
    assert inbound.thread is not None
    assert inbound.thread != thread
    assert inbound.thread.email == "tom@example.org"
    assert not thread.messages.filter(text__contains="Refund").exists()
