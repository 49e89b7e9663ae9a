"""Stored mail → threads: matching that cannot be spoofed, nothing lost, nothing twice."""

import threading
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from comptoir.lib.msgid import make_message_id, message_id_stored
from comptoir.mail.inbound import inbound_store
from comptoir.mail.models import InboundMail, InboundStatus, Mailbox
from comptoir.mail.process import (
    inbound_attach,
    inbound_discard,
    inbound_make_thread,
    inbound_process_pending,
    inbound_retry,
)
from comptoir.testing import default_contact, make_thread
from comptoir.threads import services
from comptoir.threads.emails import message_id_key, subject_markers
from comptoir.threads.models import (
    EmailStatus,
    EventKind,
    Message,
    OutboundEmail,
    Status,
    Thread,
)

pytestmark = pytest.mark.django_db
_seq = iter(range(10**6))


def mail(
    *,
    sender="alice@example.com",
    subject="Re: your order",
    body="Thanks, but it has still not arrived.\n\nOn Mon, Shop wrote:\n> old text",
    in_reply_to="",
    references="",
    to="shop@testserver",
    headers=None,
    attachment=None,
) -> bytes:
    message = EmailMessage()
    message["From"] = f"Alice <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="mail.example.com")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if attachment:
        message.add_attachment(
            attachment[1], maintype="application", subtype="pdf", filename=attachment[0]
        )
    return message.as_bytes()


def receive(raw: bytes, mailbox=None) -> InboundMail:
    stored = inbound_store(mailbox=mailbox, key=f"test:{next(_seq)}", raw=raw)
    assert stored is not None
    inbound_process_pending()
    stored.refresh_from_db()
    return stored


@pytest.fixture
def answered(bob):
    """A thread of Alice's that Bob answered (closed): its reply's Message-ID is signed."""
    thread = make_thread(email="alice@example.com", text="Where is my parcel?")
    reply = services.thread_reply(thread=thread, employee=bob, text="It left yesterday.")
    thread.refresh_from_db()
    return thread, reply.message_id


def test_a_reply_to_our_signed_message_id_lands_in_its_thread_reopened_and_unread(answered):
    thread, our_id = answered
    inbound = receive(mail(in_reply_to=our_id, references=our_id))
    assert inbound.status == InboundStatus.IMPORTED
    assert inbound.thread == thread
    assert "signed Message-ID" in inbound.decision
    thread.refresh_from_db()
    assert thread.status == Status.OPEN
    assert thread.is_unread
    message = thread.messages.latest("id")
    assert message.text == "Thanks, but it has still not arrived."
    assert "old text" in message.quoted_text
    assert message.source == "email"


def test_subject_markers_match_when_headers_were_lost(answered):
    thread, _our_id = answered
    inbound = receive(mail(subject=f"Re: An answer is available {subject_markers(thread)}"))
    assert inbound.thread == thread
    assert "subject markers" in inbound.decision


def test_markers_inside_an_encoded_subject_are_found(answered):
    thread, _our_id = answered
    raw = mail(subject=f"Re: Réponse à votre message {subject_markers(thread)}")
    assert b"=?utf-8?" in raw.lower()
    assert receive(raw).thread == thread


@pytest.mark.parametrize("cut", [1, 8, 31])
def test_a_truncated_signature_never_reaches_the_thread(answered, cut):
    thread, our_id = answered
    local, domain = our_id.strip("<>").split("@")
    forged = f"<{local[:-cut]}@{domain}>"
    inbound = receive(mail(in_reply_to=forged, references=forged))
    assert inbound.thread != thread
    assert thread.messages.count() == 2


def test_a_forged_signature_for_another_thread_is_refused(answered, bob):
    thread, _our_id = answered
    forged = make_message_id(key=b"not-our-key" * 3, thread_id=thread.pk, domain="testserver")
    inbound = receive(mail(in_reply_to=forged))
    assert inbound.thread != thread


def test_a_valid_reference_from_another_sender_opens_their_own_thread(answered):
    thread, our_id = answered
    inbound = receive(mail(sender="mallory@example.org", in_reply_to=our_id))
    assert inbound.status == InboundStatus.IMPORTED
    assert inbound.thread is not None
    assert inbound.thread != thread
    assert inbound.thread.email == "mallory@example.org"
    thread.refresh_from_db()
    assert thread.status == Status.CLOSED  # the victim's thread did not move
    assert thread.messages.count() == 2


def test_markers_from_another_sender_go_to_review_when_new_threads_are_off(answered):
    thread, _our_id = answered
    mailbox = Mailbox.objects.create(host="imap.test", create_threads=False)
    inbound = receive(
        mail(sender="mallory@example.org", subject=f"Re: {subject_markers(thread)}"), mailbox
    )
    assert inbound.status == InboundStatus.UNMATCHED
    assert "another sender" in inbound.decision
    assert thread.messages.count() == 2


def test_markers_with_a_wrong_token_match_nothing(answered):
    thread, _our_id = answered
    inbound = receive(mail(subject=f"Re: #ct{thread.pk} #tc{'x' * 24}"))
    assert inbound.thread != thread


def test_unknown_mail_opens_a_thread_for_the_contact_it_was_sent_to(db):
    webmaster = default_contact().__class__.objects.get(name__en="Webmaster")
    webmaster.email = "webmaster@shop.test"
    webmaster.save()
    inbound = receive(mail(sender="zoe@example.com", to="webmaster@shop.test", subject="Site down"))
    thread = inbound.thread
    assert thread is not None
    assert thread.contact == webmaster
    assert thread.email == "zoe@example.com"
    assert thread.is_unread


def test_unknown_mail_waits_for_review_when_new_threads_are_off(db):
    mailbox = Mailbox.objects.create(host="imap.test", create_threads=False)
    inbound = receive(mail(sender="zoe@example.com"), mailbox)
    assert inbound.status == InboundStatus.UNMATCHED
    assert not Thread.objects.exists()


def test_our_own_notifications_are_never_imported(db):
    assert (
        receive(mail(headers={"X-Comptoir-Internal": "notification"})).status
        == InboundStatus.IGNORED
    )
    ours = make_message_id(key=message_id_key(), thread_id=0, domain="testserver")
    raw = (
        mail()
        .replace(b"Message-ID: <", b"X-Old: <", 1)
        .replace(b"Subject:", f"Message-ID: {ours}\nSubject:".encode(), 1)
    )
    assert receive(raw).status == InboundStatus.IGNORED
    assert not Thread.objects.exists()


def test_an_auto_reply_is_a_note_that_reopens_nothing(answered):
    thread, our_id = answered
    inbound = receive(
        mail(
            in_reply_to=our_id, subject="Out of office", headers={"Auto-Submitted": "auto-replied"}
        )
    )
    assert inbound.status == InboundStatus.IMPORTED
    thread.refresh_from_db()
    assert thread.status == Status.CLOSED
    assert not thread.is_unread
    assert thread.messages.latest("id").private


def test_an_unmatched_auto_reply_creates_no_thread(db):
    inbound = receive(mail(headers={"Auto-Submitted": "auto-replied"}, subject="Automatic reply"))
    assert inbound.status == InboundStatus.IGNORED
    assert not Thread.objects.exists()


DSN = """From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: shop@testserver
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn.1@mx.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system at host mx.example.com. I'm sorry to have to inform you that your
message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; alice@example.com
Action: failed
Status: 5.1.1

--B
Content-Type: text/rfc822-headers

Message-ID: {our_id}
To: alice@example.com
Subject: An answer to your message is available

--B--
"""


def test_a_bounce_marks_our_email_failed_on_its_thread(answered):
    thread, our_id = answered
    inbound = receive(DSN.format(our_id=our_id).encode())
    assert inbound.status == InboundStatus.IMPORTED
    assert "bounce" in inbound.decision
    email = OutboundEmail.objects.get(header_message_id=our_id)
    assert email.status == EmailStatus.FAILED
    assert "alice@example.com" in email.last_error
    assert thread.events.filter(kind=EventKind.DELIVERY_FAILED).exists()
    thread.refresh_from_db()
    assert thread.status == Status.CLOSED  # a bounce is not the customer writing back


def test_attachments_come_in_with_the_message(answered):
    thread, our_id = answered
    receive(mail(in_reply_to=our_id, attachment=("facture.pdf", b"%PDF-1.4 facture")))
    (attachment,) = thread.messages.latest("id").attachments.all()
    assert attachment.original_name == "facture.pdf"
    assert attachment.size == len(b"%PDF-1.4 facture")


def test_a_poisonous_message_is_kept_failed_and_does_not_block_the_others(db):
    bad = inbound_store(mailbox=None, key="test:bad", raw=b"\x00\x01 not mail at all")
    good = inbound_store(mailbox=None, key="test:good", raw=mail(sender="zoe@example.com"))
    report = inbound_process_pending()
    assert (report.failed, report.imported) == (1, 1)
    assert bad is not None
    assert good is not None
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == InboundStatus.FAILED
    assert bad.error
    assert bad.raw  # kept for another try
    assert good.status == InboundStatus.IMPORTED


def test_processing_again_imports_nothing_twice(answered):
    thread, our_id = answered
    receive(mail(in_reply_to=our_id))
    inbound_process_pending()
    assert thread.messages.count() == 3


def test_the_same_message_under_another_key_is_a_duplicate(answered):
    thread, our_id = answered
    raw = mail(in_reply_to=our_id)
    receive(raw)
    again = receive(raw)
    assert again.status == InboundStatus.IGNORED
    assert thread.messages.count() == 3


def test_storing_the_same_key_twice_is_a_no_op(db):
    assert inbound_store(mailbox=None, key="imap:1:7:42", raw=b"From: a@b.c\n\nx") is not None
    assert inbound_store(mailbox=None, key="imap:1:7:42", raw=b"From: a@b.c\n\nx") is None
    assert InboundMail.objects.count() == 1


def test_an_employee_attaches_makes_a_thread_or_discards(bob, answered):
    thread, _our_id = answered
    mailbox = Mailbox.objects.create(host="imap.test", create_threads=False)
    first = receive(mail(sender="alice.other@example.com"), mailbox)
    second = receive(mail(sender="zoe@example.com"), mailbox)
    third = receive(mail(sender="spam@example.net"), mailbox)
    inbound_attach(inbound=first, thread=thread, employee=bob)
    new_thread = inbound_make_thread(inbound=second, employee=bob)
    inbound_discard(inbound=third, employee=bob)
    statuses = dict(InboundMail.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == InboundStatus.IMPORTED
    assert statuses[third.pk] == InboundStatus.DISCARDED
    assert InboundMail.objects.get(pk=third.pk).decision == f"discarded by {bob.email}"
    assert thread.messages.count() == 3
    assert new_thread.email == "zoe@example.com"


def test_a_failed_message_can_be_processed_again(bob, db):
    inbound = receive(b"\x00garbage")
    assert inbound.status == InboundStatus.FAILED
    inbound_retry(inbound=inbound, employee=bob)
    inbound_process_pending()
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.FAILED
    assert inbound.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_import_each_message_once(bob):
    thread = make_thread(email="alice@example.com")
    reply = services.thread_reply(thread=thread, employee=bob, text="Hi")
    for n in range(20):
        inbound_store(
            mailbox=None,
            key=f"test:c{n}",
            raw=mail(in_reply_to=reply.message_id, body=f"answer {n}"),
        )
    errors = []

    def work():
        from django.db import connection

        try:
            inbound_process_pending()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []
    texts = sorted(
        Message.objects.filter(thread=thread, author="customer").values_list("text", flat=True)
    )
    assert texts == sorted(["Where is my parcel?", *[f"answer {n}" for n in range(20)]])


@pytest.mark.sqlite_only
def test_the_duplicate_check_finds_copies_by_digest_whatever_else_is_stored(db):
    """Regression guard: the check must not read the whole table through the status index."""
    from django.db import connection

    from comptoir.mail import process

    captured = []

    def keep(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    raw = b"From: a@example.com\r\nSubject: hi\r\nMessage-ID: <dup@example.com>\r\n\r\nhi\r\n"
    first = inbound_store(mailbox=None, key="t:dup:1", raw=raw)
    second = inbound_store(mailbox=None, key="t:dup:2", raw=raw)
    assert first is not None
    assert second is not None
    # Stored as a copy already; made new again as if it had come in by another way.
    InboundMail.objects.filter(pk=second.pk).update(status=InboundStatus.NEW, copy_key="")
    process.inbound_process(inbound_id=first.pk)
    with connection.execute_wrapper(keep):
        assert process.inbound_process(inbound_id=second.pk) == InboundStatus.IGNORED
    sql, params = next((s, p) for s, p in captured if '"sha256" IN' in s)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "sha256" in plan, plan


DELAY = """From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: shop@testserver
Subject: Delivery Status Notification (Delay) {subject}
Message-ID: <delay.1@mx.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; boundary="B"

--B
Content-Type: text/plain

There was a temporary problem delivering your message to alice@example.com. Gmail will retry
for 46 more hours. You'll be notified if the delivery fails permanently.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com

Final-Recipient: rfc822; alice@example.com
Action: delayed
Status: 4.4.1

--B
Content-Type: message/rfc822

Message-ID: {our_id}
To: alice@example.com
Subject: An answer to your message is available {subject}

It left yesterday.

--B--
"""


def test_a_delay_notice_neither_fails_our_email_nor_opens_or_joins_a_thread(answered):
    thread, our_id = answered
    subject = subject_markers(thread)
    before = Message.objects.filter(thread=thread).count()
    inbound = receive(DELAY.format(our_id=our_id, subject=subject).encode())
    assert inbound.status == InboundStatus.IGNORED
    assert inbound.decision == "delivery delayed to alice@example.com, not failed"
    assert OutboundEmail.objects.get(header_message_id=our_id).status != EmailStatus.FAILED
    assert Message.objects.filter(thread=thread).count() == before
    assert Thread.objects.count() == 1
    assert inbound.thread is None


def test_a_message_id_over_255_characters_is_stored_found_and_answered_with(bob):
    long_id = f"<{'7f3a' * 80}.reply@mail.example.com>"
    raw = (
        "From: Alice <alice@example.com>\nTo: shop@testserver\nSubject: Hello\n"
        f"Message-ID: {long_id}\n\nWhere is my parcel?\n"
    ).encode()
    inbound = receive(raw)
    assert inbound.status == InboundStatus.IMPORTED
    assert inbound.message_id == message_id_stored(long_id)
    message = Message.objects.get(message_id=message_id_stored(long_id))
    assert (message.thread_id, message.message_id_header) == (inbound.thread_id, long_id)
    services.thread_reply(thread=message.thread, employee=bob, text="It left yesterday.")
    email = OutboundEmail.objects.get(thread=message.thread)
    assert email.in_reply_to == long_id
    assert long_id in email.references
