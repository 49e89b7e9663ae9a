"""Stored mail processed in batches: the same outcomes as one by one, in a bounded number of
statements, and one poisonous message never takes its batch down with it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.api.services import webhook_create
from comptoir.mail import process
from comptoir.mail.inbound import inbound_store
from comptoir.mail.models import InboundMail, InboundStatus, Mailbox
from comptoir.mail.process import inbound_process_pending, inbound_retry
from comptoir.mail.tests.test_process import mail
from comptoir.testing import make_thread
from comptoir.threads import services
from comptoir.threads.counters import counters_read, thread_counters_recount
from comptoir.threads.models import Message, OutboundEvent, Status, Thread, Topic

pytestmark = pytest.mark.django_db


def assert_counters_exact() -> None:
    kept = counters_read()
    counted = thread_counters_recount()
    assert {name: kept.get(name, 0) for name in counted} == counted


def store(raw: bytes, key: str) -> InboundMail:
    stored = inbound_store(mailbox=None, key=key, raw=raw)
    assert stored is not None
    return stored


@pytest.fixture
def answered_threads(bob):
    """Three closed threads Bob answered, with the signed Message-ID a reply would quote."""
    found = []
    for n in range(3):
        thread = make_thread(email=f"c{n}@example.com", text="Where is my parcel?")
        reply = services.thread_reply(thread=thread, employee=bob, text="It left yesterday.")
        found.append((thread, reply.message_id))
    return found


def mixed_batch(answered_threads, tag: str, count: int) -> list[InboundMail]:
    """Replies into the answered threads (two per thread), an out-of-office into one, and
    ``count`` messages from new customers."""
    stored = []
    for n, (thread, our_id) in enumerate(answered_threads):
        for m in range(2):
            raw = mail(sender=thread.email, in_reply_to=our_id, body=f"reply {n}.{m} {tag}")
            stored.append(store(raw, f"t:{tag}:r{n}:{m}"))
    thread, our_id = answered_threads[0]
    auto = mail(
        sender=thread.email,
        in_reply_to=our_id,
        subject="Out of office",
        headers={"Auto-Submitted": "auto-replied"},
    )
    stored.append(store(auto, f"t:{tag}:auto"))
    for n in range(count):
        raw = mail(sender=f"new{tag}{n}@example.com", body=f"first message {n} {tag}")
        stored.append(store(raw, f"t:{tag}:n{n}"))
    return stored


def test_a_batch_threads_every_message_as_one_by_one_would(answered_threads, bob):
    webhook_create(
        url="https://shop.example/hook",
        topics=[Topic.THREAD_CREATED],
        description="Shop",
        allow_private_network=False,
        created_by=bob,
    )
    stored = mixed_batch(answered_threads, "a", 5)
    report = inbound_process_pending()
    assert (report.imported, report.failed) == (len(stored), 0)
    for n, (thread, _our_id) in enumerate(answered_threads):
        thread.refresh_from_db()
        # The customer's first message, Bob's reply, the two replies (and the note in the first).
        assert thread.message_count == thread.messages.count() == (5 if n == 0 else 4)
        assert thread.status == Status.OPEN
        assert thread.is_unread
        texts = list(thread.messages.order_by("id").values_list("text", flat=True))
        assert texts[2:4] == [f"reply {n}.0 a", f"reply {n}.1 a"]
        # The out-of-office is a private note: the excerpt stays the customer's reply.
        assert thread.last_message_excerpt == f"reply {n}.1 a"
    first = answered_threads[0][0]
    note = first.messages.get(is_auto_reply=True)
    assert note.private
    assert first.events.filter(kind="reopened").count() == 1  # re-opened once, not twice
    new = Thread.objects.filter(email__startswith="newa")
    assert new.count() == 5
    assert all(t.message_count == 1 and t.status == Status.OPEN for t in new)
    # Every stored message names the thread it went into.
    for inbound in stored:
        inbound.refresh_from_db()
        assert inbound.status == InboundStatus.IMPORTED
        assert inbound.thread_id == Message.objects.get(message_id=inbound.message_id).thread_id
    # The running totals are exactly what counting the rows gives.
    assert_counters_exact()
    # The webhook's topic is written for each new thread; nobody hears the others.
    assert set(OutboundEvent.objects.values_list("topic", flat=True)) == {Topic.THREAD_CREATED}
    assert OutboundEvent.objects.count() == Thread.objects.count() - len(answered_threads)


def test_the_statements_of_a_batch_do_not_grow_with_its_messages(answered_threads):
    mixed_batch(answered_threads, "s", 2)
    with CaptureQueriesContext(connection) as small:
        assert inbound_process_pending().imported == 9
    mixed_batch(answered_threads, "l", 30)
    with CaptureQueriesContext(connection) as large:
        assert inbound_process_pending().imported == 37
    # executemany counts once; the larger batch has files, threads and customers alike.
    assert len(large.captured_queries) == len(small.captured_queries)
    # 25: the rows are read once to parse outside the transaction, once more under its lock;
    # the threads' search documents are rebuilt in four statements; on PostgreSQL and MariaDB
    # the counters are locked before they move (threads/counters.py).
    assert len(large.captured_queries) <= 26


def test_a_copy_in_the_same_batch_is_a_duplicate(db):
    raw = mail(sender="zoe@example.com")
    store(raw, "t:copy:1")
    second = store(raw, "t:copy:2")
    assert (second.status, second.decision) == (InboundStatus.IGNORED, "copy of t:copy:1")
    # Had it come in new (two workers storing at once), the batch finds it before parsing.
    InboundMail.objects.filter(pk=second.pk).update(status=InboundStatus.NEW)
    report = inbound_process_pending()
    assert (report.imported, report.ignored) == (1, 1)
    second.refresh_from_db()
    assert second.status == InboundStatus.IGNORED
    assert second.decision == "copy of t:copy:1"
    assert Thread.objects.filter(email="zoe@example.com").count() == 1


def test_a_message_that_breaks_its_batch_fails_alone(db, monkeypatch):
    """A fault in the writes (provoked here: no real message makes the storage raise) rolls the
    batch back; its messages are then processed one by one and only the culprit fails."""
    store(mail(sender="ann@example.com"), "t:poison:1")
    bad = store(mail(sender="bad@example.com", attachment=("x.pdf", b"%PDF-1.4 x")), "t:poison:2")
    store(mail(sender="cy@example.com"), "t:poison:3")
    real = process._attachments

    def attachments(parsed):
        if parsed.from_address == "bad@example.com":
            raise OSError("disk full")
        return real(parsed)

    monkeypatch.setattr(process, "_attachments", attachments)
    report = inbound_process_pending()
    assert (report.imported, report.failed) == (2, 1)
    bad.refresh_from_db()
    assert bad.status == InboundStatus.FAILED
    assert bad.error == "OSError: disk full"
    assert bad.attempts == 1
    assert set(Thread.objects.values_list("email", flat=True)) == {
        "ann@example.com",
        "cy@example.com",
    }
    assert_counters_exact()


def test_large_messages_are_split_into_batches_by_size(db, monkeypatch):
    monkeypatch.setattr(process, "BATCH_BYTES", 3000)
    monkeypatch.setattr(process, "BATCH_MESSAGES", 3)
    for n in range(7):
        store(mail(sender=f"big{n}@example.com", body="x " * 600), f"t:big:{n}")
    rows = list(
        InboundMail.objects.filter(status=InboundStatus.NEW)
        .order_by("id")
        .values_list("pk", "size")
    )
    batches = process._batches(rows)
    assert [pk for batch in batches for pk in batch] == [pk for pk, _size in rows]
    assert all(sum(dict(rows)[pk] for pk in b) <= 3000 or len(b) == 1 for b in batches)
    assert max(len(b) for b in batches) <= 3
    assert inbound_process_pending().imported == 7


def test_a_message_processed_before_gets_its_new_outcome_when_retried(db, bob):
    """An unmatched message (already stamped processed) retried after new threads are allowed:
    its new outcome is written like any other."""
    mailbox = Mailbox.objects.create(host="imap.test", create_threads=False)
    stored = inbound_store(mailbox=mailbox, key="t:retry:1", raw=mail(sender="dan@example.com"))
    assert stored is not None
    inbound_process_pending()
    stored.refresh_from_db()
    assert stored.status == InboundStatus.UNMATCHED
    assert stored.processed_at is not None
    Mailbox.objects.filter(pk=mailbox.pk).update(create_threads=True)
    inbound_retry(inbound=stored, employee=bob)
    assert inbound_process_pending().imported == 1
    stored.refresh_from_db()
    assert stored.status == InboundStatus.IMPORTED
    assert stored.thread is not None
    assert stored.thread.email == "dan@example.com"
