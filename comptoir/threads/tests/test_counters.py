"""The desk counters: every change moves them by what it changed, written together, and only if
it succeeds; after every kind of change they equal a count of the rows."""

import io
import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.api.models import Scope
from comptoir.api.services import api_key_create
from comptoir.desk_settings.services import contact_delete
from comptoir.mail.inbound import inbound_store
from comptoir.mail.models import InboundStatus, Mailbox
from comptoir.mail.process import inbound_attach, inbound_process_pending
from comptoir.mail.tests.test_process import mail
from comptoir.orders.services import order_message_post
from comptoir.privacy.models import RetentionPolicy, Via
from comptoir.privacy.services import Person, customer_erase, retention_apply
from comptoir.testing import make_customer, make_order, make_thread
from comptoir.threads import arrivals, counters, services, snooze, stats
from comptoir.threads.contact_messages import Submission, contact_message_submit
from comptoir.threads.counters import (
    Counted,
    counter_deltas,
    counters_read,
    thread_counters_count,
    thread_counters_recount,
)
from comptoir.threads.messages import CustomerMessage, Upload
from comptoir.threads.models import Contact, Source, Status, Thread

pytestmark = pytest.mark.django_db


def assert_counters_equal_a_count(after: str) -> None:
    """The stored counters against the rows counted afresh (a counter without a row is 0)."""
    stored, counted = counters_read(), thread_counters_count()
    names = set(stored) | set(counted)
    drift = {
        name: (stored.get(name, 0), counted.get(name, 0))
        for name in names
        if stored.get(name, 0) != counted.get(name, 0)
    }
    assert drift == {}, f"after {after}: (stored, counted) {drift}"


def test_a_thread_s_counted_state_gives_the_counters_it_moves():
    open_unread = Counted(Status.OPEN, True, 7, None)
    closed_read = Counted(Status.CLOSED, False, 7, None)
    assert counter_deltas(None, open_unread, messages={"customer": 1}) == {
        "threads": 1,
        "threads:open": 1,
        "threads:unread": 1,
        "unread:contact:7": 1,
        "assigned:none": 1,
        "messages:customer": 1,
    }
    assert counter_deltas(open_unread, closed_read, messages={"employee": 1}) == {
        "threads:open": -1,
        "threads:closed": 1,
        "threads:unread": -1,
        "unread:contact:7": -1,
        "assigned:none": -1,
        "messages:employee": 1,
    }
    assert counter_deltas(open_unread, Counted(Status.OPEN, True, 7, 3)) == {
        "assigned:none": -1,
        "assigned:3": 1,
    }
    assert counter_deltas(open_unread, Counted(Status.OPEN, True, None, None)) == {
        "unread:contact:7": -1,
        "unread:contact:none": 1,
    }
    assert counter_deltas(closed_read, None, messages={"customer": -2}) == {
        "threads": -1,
        "threads:closed": -1,
        "messages:customer": -2,
    }
    assert counter_deltas(closed_read, closed_read) == {}
    assert counters.counter_deltas_many([(None, open_unread)] * 3 + [(open_unread, None)]) == {
        "threads": 2,
        "threads:open": 2,
        "threads:unread": 2,
        "unread:contact:7": 2,
        "assigned:none": 2,
    }


def test_a_new_thread_moves_its_counters_in_one_statement():
    make_thread()  # the counter rows exist from now on
    with CaptureQueriesContext(connection) as queries:
        make_thread(email="second@example.com")
    statements = [q["sql"] for q in queries if "deskcounter" in q["sql"].lower()]
    updates = [sql for sql in statements if sql.startswith("UPDATE")]
    assert len(updates) == 1, statements
    # Where rows can be locked, one SELECT … FOR UPDATE takes them first (in name order).
    locks = [sql for sql in statements if sql.startswith("SELECT") and "FOR UPDATE" in sql]
    assert len(statements) == 1 + len(locks) <= 2, statements
    assert counters_read()["threads"] == 2
    assert counters_read()["messages:customer"] == 2


def test_counters_that_do_not_exist_yet_are_created():
    from comptoir.threads.models import DeskCounter

    DeskCounter.objects.all().delete()
    make_thread()
    values = counters_read()
    assert (values["threads"], values["threads:open"], values["threads:unread"]) == (1, 1, 1)


def test_a_change_rolled_back_takes_its_counts_back(bob):
    thread = make_thread()
    before = counters_read()

    def change_then_fail() -> None:
        with transaction.atomic():
            services.thread_reply(thread=thread, employee=bob, text="Done")
            services.thread_delete(thread=make_thread(email="b@example.com"), employee=bob)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert counters_read() == before


def test_after_many_changes_the_counters_match_a_recount(bob):
    threads = [make_thread(email=f"c{i}@example.com") for i in range(4)]
    services.thread_reply(thread=threads[0], employee=bob, text="Yes")
    services.thread_set_status(thread=threads[1], employee=bob, status=Status.PENDING1)
    services.thread_note(thread=threads[2], employee=bob, text="Hmm")
    services.thread_delete(thread=threads[3], employee=bob)
    assert_counters_equal_a_count("a reply, a status, a note and a deletion")


def test_each_contacts_unread_count_follows_reads_moves_and_deletions(bob):
    sales, support = Contact.objects.order_by("position", "id")[:2]
    first = make_thread(email="a@example.com", contact=sales)
    second = make_thread(email="b@example.com", contact=sales)
    third = make_thread(email="c@example.com", contact=support)

    def boxes() -> dict[int, int]:
        return {box.contact.pk: box.unread for box in stats.contact_boxes()}

    assert boxes()[sales.pk] == 2
    assert boxes()[support.pk] == 1
    services.thread_mark_read(thread=first, employee=bob)
    services.thread_change_contact(thread=second, employee=bob, contact=support)
    assert boxes()[sales.pk] == 0
    assert boxes()[support.pk] == 2
    services.thread_change_contact(thread=first, employee=bob, contact=support)  # read: no move
    services.thread_delete(thread=third, employee=bob)
    assert boxes()[support.pk] == 1
    # The customer writes again in a read thread: it is unread again, in its contact's box.
    arrivals.thread_receive(
        thread=first, incoming=CustomerMessage(text="Again", source=Source.FORM)
    )
    assert boxes()[support.pk] == 2
    assert_counters_equal_a_count("reads, moves, a deletion and an arrival")
    assert counters.unread_by_contact()[counters.unread_counter(support.pk)] == 2


def test_the_contact_boxes_count_nothing_whatever_the_backlog(django_assert_num_queries):
    for n in range(30):
        make_thread(email=f"u{n}@example.com")
    with django_assert_num_queries(2):  # the contacts with their oldest unread, the counters
        boxes = stats.contact_boxes()
    assert sum(box.unread for box in boxes) == 30


def test_deleting_a_contact_moves_its_unread_threads_counts_to_the_contact_taking_them(bob):
    sales, support = Contact.objects.order_by("position", "id")[:2]
    make_thread(email="a@example.com", contact=sales)
    make_thread(email="b@example.com", contact=sales)
    read = make_thread(email="c@example.com", contact=sales)
    services.thread_mark_read(thread=read, employee=bob)
    make_thread(email="d@example.com", contact=support)
    contact_delete(contact=sales, move_threads_to=support)
    assert counters_read()[counters.unread_counter(support.pk)] == 3
    assert counters_read()[counters.unread_counter(sales.pk)] == 0
    assert_counters_equal_a_count("a contact deleted, its threads moved")


def test_a_recount_sets_every_counter_to_its_count():
    make_thread()
    counters.counters_apply({"threads": 5, "threads:closed": -2})
    assert thread_counters_recount() == thread_counters_count()
    assert_counters_equal_a_count("a recount")


def test_after_each_kind_of_change_the_counters_equal_a_count_of_the_rows(bob, charlie):
    """Every service and bulk action that changes threads or messages, one after the other."""
    check = assert_counters_equal_a_count
    sales, support = Contact.objects.order_by("position", "id")[:2]

    def form(email: str, text: str, contact: Contact = sales) -> Thread:
        submission = Submission(contact=contact, email=email, text=text, language="en")
        thread = contact_message_submit(submission=submission).thread
        assert thread is not None
        return thread

    alice = form("alice@example.com", "Where is my parcel?")
    check("a form message opening a thread")
    form("alice@example.com", "Any news?", contact=support)
    check("a form message from a known address: a new thread under another contact")
    gaston = form("gaston@example.com", "Do you ship to Belgium?")
    form("zoe@example.com", "Hello")
    check("more form messages")

    reply = services.thread_reply(thread=alice, employee=bob, text="It left yesterday.")
    check("a reply")
    for key, raw in [
        ("reply", mail(sender="alice@example.com", in_reply_to=reply.message_id, body="Thanks")),
        ("again", mail(sender="alice@example.com", in_reply_to=reply.message_id, body="Still")),
        (
            "auto",
            mail(
                sender="alice@example.com",
                in_reply_to=reply.message_id,
                subject="Out of office",
                headers={"Auto-Submitted": "auto-replied"},
            ),
        ),
        ("new", mail(sender="yann@example.com", subject="Invoice", body="My invoice please")),
    ]:
        assert inbound_store(mailbox=None, key=f"counters:{key}", raw=raw) is not None
    inbound_process_pending()
    check("a batch of mail: replies re-opening a thread, an auto-reply, a new thread")
    arrivals.thread_receive(
        thread=gaston,
        incoming=CustomerMessage(text="Away", source=Source.EMAIL, is_auto_reply=True),
    )
    check("an auto-reply kept as a note")

    services.thread_note(thread=gaston, employee=bob, text="Call him")
    services.thread_post(thread=gaston, employee=bob, text="Posted", source=Source.DESK)
    check("a note and a post")
    for status in [Status.PENDING1, Status.OPEN, Status.PENDING2, Status.CLOSED]:
        services.thread_set_status(thread=gaston, employee=bob, status=status)
        check(f"the status set to {status}")
    services.thread_assign(thread=alice, employee=bob, assignee=charlie)
    check("an assignment")
    services.thread_forward(thread=alice, employee=bob, to_employee=charlie, comment="Yours")
    services.thread_forward(thread=alice, employee=bob, to_email="carrier@example.org")
    check("forwards")
    services.thread_change_contact(thread=alice, employee=bob, contact=sales)
    services.thread_change_contact(thread=alice, employee=bob, contact=None)
    check("contact changes of an unread thread")
    services.thread_change_language(thread=alice, employee=bob, language="fr")
    check("a language change")
    services.thread_mark_read(thread=Thread.objects.get(pk=alice.pk), employee=bob)
    check("a thread read")
    services.thread_reply_with_files(
        thread=gaston,
        employee=bob,
        text="The form",
        uploads=[Upload(content=io.BytesIO(b"%PDF-1.4 x"), name="a.pdf", content_type="a/pdf")],
        status_after=Status.PENDING1,
    )
    check("a reply with a file")

    customer = make_customer("Gaston", email="gaston@example.com")
    services.threads_link_customers(customer_ids=[customer.pk])
    check("threads linked to a customer")
    order = make_order(customer)
    order_message_post(order=order, employee=bob, text="Shipped", visible_to_customer=True)
    order_message_post(order=order, employee=bob, text="Between us", visible_to_customer=False)
    check("order page messages (a thread started for the order)")

    Mailbox.objects.create(host="imap.test", create_threads=False)
    stored = inbound_store(
        mailbox=Mailbox.objects.get(),
        key="counters:unmatched",
        raw=mail(sender="nobody@example.com", subject="Hi", body="Who am I?"),
    )
    assert stored is not None
    inbound_process_pending()
    stored.refresh_from_db()
    assert stored.status == InboundStatus.UNMATCHED
    inbound_attach(inbound=stored, thread=alice, employee=bob)
    check("an unmatched e-mail filed into a thread")

    _key, secret = api_key_create(
        name="Shop", scope=Scope.WRITE, employee=charlie, created_by=charlie
    )
    response = Client(headers={"Authorization": f"Bearer {secret}"}).post(
        "/api/v1/contact-messages",
        json.dumps(
            {"contact_id": sales.pk, "email": "vera@example.com", "message": "From the shop"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    check("a contact message through the API")

    unproven = form("alice@example.com", "Typed in the form: a new thread", contact=support)
    services.thread_merge(source=unproven, target=alice, employee=bob)
    check("an unread thread merged into a read one of another contact")
    services.thread_merge(source=Thread.objects.get(pk=gaston.pk), target=alice, employee=bob)
    check("a read thread merged")
    services.thread_link_renew(thread=alice, employee=bob)
    check("a conversation link renewed")
    arrivals.thread_receive(thread=alice, incoming=CustomerMessage("Up?", Source.EMAIL))
    soon = timezone.now() + timedelta(hours=1)
    snooze.thread_snooze(thread=alice, employee=bob, until=soon)
    check("an unread thread snoozed (read)")
    snooze.threads_snooze_wake(now=soon + timedelta(seconds=1))
    check("a snoozed thread back at its time (open, unread)")
    services.thread_set_status(thread=alice, employee=bob, status=Status.CLOSED)
    snooze.thread_snooze(thread=alice, employee=bob, until=soon)
    arrivals.thread_receive(thread=alice, incoming=CustomerMessage("Now!", Source.EMAIL))
    check("a snoozed closed thread woken by its customer")
    snooze.thread_snooze(thread=alice, employee=bob, until=soon)
    snooze.thread_unsnooze(thread=alice, employee=bob)
    check("a thread snoozed and brought back by an employee")

    everyone = list(Thread.objects.order_by("id"))
    services.threads_bulk_apply(threads=everyone, employee=bob, status=Status.PENDING2)
    check("a bulk status change")
    services.threads_bulk_apply(threads=everyone, employee=bob, assign=True, assignee=bob)
    check("a bulk assignment")
    arrivals.thread_receive(thread=alice, incoming=CustomerMessage("Hello?", Source.EMAIL))
    services.threads_bulk_apply(threads=everyone[:2], employee=bob, delete=True)
    check("a bulk deletion")
    services.thread_delete(thread=Thread.objects.order_by("id")[0], employee=bob)
    check("a deletion")

    form("wanda@example.com", "Unread in sales")
    contact_delete(contact=sales, move_threads_to=support)
    check("a contact deleted, its threads moved to another")

    form("xavier@example.com", "Unread, then erased", contact=support)
    services.thread_reply(
        thread=form("xavier@example.com", "Another", contact=support), employee=bob, text="Answered"
    )
    customer_erase(person=Person.of_address("xavier@example.com"), employee=charlie, via=Via.API)
    check("a person's data erased (an unread thread and an answered one)")
    closed = form("yves@example.com", "To be closed", contact=support)
    services.thread_set_status(thread=closed, employee=bob, status=Status.CLOSED)
    Thread.objects.filter(pk=closed.pk).update(
        status_changed_at=timezone.now() - timedelta(days=9),
        last_message_at=timezone.now() - timedelta(days=9),
    )
    retention_apply(policy=RetentionPolicy(closed_threads_days=7))
    assert not Thread.objects.filter(pk=closed.pk).exists()
    check("closed threads removed by retention")


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_to_overlapping_counters_never_deadlock():
    # Seen in the cluster run: a contact-form post answered 500 ("deadlock detected") on
    # PostgreSQL. One UPDATE of several counter rows locks them in the order its scan meets them,
    # and on PostgreSQL that is where each row's latest version happens to lie, which every
    # update moves: two statements could lock the same rows in opposite orders. The rows are
    # now locked by name first. (SQLite has one writer at a time: it runs the same test.)
    names = [f"c{n}" for n in range(8)]
    with transaction.atomic():
        counters.counters_apply(dict.fromkeys(names, 1))
    sets = [names[0:5], names[1:7], [names[4], names[2], names[7]], names[::-2]]
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            for turn in range(120):
                with transaction.atomic():
                    counters.counters_apply(dict.fromkeys(sets[(number + turn) % len(sets)], 1))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(number,)) for number in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    expected = dict.fromkeys(names, 1)
    for number in range(6):
        for turn in range(120):
            for name in sets[(number + turn) % len(sets)]:
                expected[name] += 1
    assert {name: counters_read()[name] for name in names} == expected
