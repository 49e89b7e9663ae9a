"""Issue 16: threading that follows the customer too — a follow-up to their own first mail, and
mail from a plus-address of their mailbox, join their thread; still only from the thread's
participants (issue 17)."""

from __future__ import annotations

from email import message_from_bytes

import pytest

from comptoir.mail.models import InboundStatus
from comptoir.mail.tests.test_process import answered, mail, receive
from comptoir.threads.models import Thread

pytestmark = pytest.mark.django_db
__all__ = ["answered"]  # the fixture, shared with test_process


def first_mail(sender: str = "jane@example.com") -> tuple[bytes, str]:
    """A customer's first mail, and its Message-ID."""
    raw = mail(sender=sender, subject="My order did not arrive", body="Hello, it did not arrive.")
    return raw, str(message_from_bytes(raw)["Message-ID"]).strip()


def test_a_follow_up_to_the_customers_own_first_mail_joins_its_thread(db):
    raw, first_id = first_mail()
    opened = receive(raw)
    follow_up = receive(
        mail(
            sender="jane@example.com",
            subject="Re: My order did not arrive",
            body="I forgot: the order number is 1234.",
            in_reply_to=first_id,
            references=first_id,
        )
    )

    assert follow_up.status == InboundStatus.IMPORTED
    assert follow_up.thread_id == opened.thread_id
    assert follow_up.decision == "matched by the customer's own e-mail"
    assert Thread.objects.count() == 1


def test_a_follow_up_to_the_customers_mail_from_someone_else_does_not_join(db):
    raw, first_id = first_mail()
    opened = receive(raw)
    stranger = receive(
        mail(
            sender="mallory@example.com",
            subject="Re: My order did not arrive",
            body="Please refund to this IBAN instead.",
            in_reply_to=first_id,
            references=first_id,
        )
    )

    assert stranger.thread_id != opened.thread_id
    assert stranger.decision.startswith("new thread; reference to an e-mail of thread")
    assert Thread.objects.count() == 2


def test_a_plus_address_of_a_participant_joins_with_a_proof(answered):
    thread, our_id = answered
    inbound = receive(mail(sender="alice+shop@example.com", in_reply_to=our_id))

    assert inbound.status == InboundStatus.IMPORTED
    assert inbound.thread_id == thread.pk


def test_a_plus_address_follow_up_to_the_customers_own_mail_joins(db):
    raw, first_id = first_mail()
    opened = receive(raw)
    follow_up = receive(mail(sender="jane+orders@example.com", references=first_id))

    assert follow_up.thread_id == opened.thread_id


def test_a_plus_address_of_another_mailbox_does_not_join(answered):
    thread, our_id = answered
    inbound = receive(mail(sender="alicia+alice@example.com", in_reply_to=our_id))

    assert inbound.thread_id != thread.pk


def test_a_plus_address_alone_without_a_proof_opens_a_new_thread(answered):
    thread, _our_id = answered
    inbound = receive(mail(sender="alice+shop@example.com", subject="Another question"))

    assert inbound.thread_id != thread.pk
