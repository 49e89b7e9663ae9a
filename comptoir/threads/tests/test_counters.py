"""The desk counters: the changes of one service are written together, and only if it succeeds."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from comptoir.testing import make_thread
from comptoir.threads import counters, services, stats
from comptoir.threads.counters import counters_deferred, counters_read, thread_counters_recount
from comptoir.threads.models import Contact, Source, Status
from comptoir.threads.services import CustomerMessage

pytestmark = pytest.mark.django_db


def test_a_new_thread_moves_its_four_counters_in_one_statement():
    make_thread()  # the counter rows exist from now on
    with CaptureQueriesContext(connection) as queries:
        make_thread(email="second@example.com")
    updates = [q["sql"] for q in queries if "deskcounter" in q["sql"].lower()]
    assert len(updates) == 1, updates
    assert counters_read()["threads"] == 2
    assert counters_read()["messages:customer"] == 2


def test_counters_that_do_not_exist_yet_are_created():
    from comptoir.threads.models import DeskCounter

    DeskCounter.objects.all().delete()
    make_thread()
    values = counters_read()
    assert (values["threads"], values["threads:open"], values["threads:unread"]) == (1, 1, 1)


def test_a_failing_nested_change_takes_its_counts_back(bob):
    thread = make_thread()

    @counters_deferred
    def outer():
        counters.counter_add("threads", 10)
        try:
            with transaction.atomic():
                services.thread_reply(thread=thread, employee=bob, text="Done")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    before = counters_read()
    with transaction.atomic():
        outer()
    after = counters_read()
    assert after["threads"] == before["threads"] + 10
    assert after.get("messages:employee", 0) == before.get("messages:employee", 0)


def test_after_many_changes_the_counters_match_a_recount(bob):
    threads = [make_thread(email=f"c{i}@example.com") for i in range(4)]
    services.thread_reply(thread=threads[0], employee=bob, text="Yes")
    services.thread_set_status(thread=threads[1], employee=bob, status=Status.PENDING1)
    services.thread_note(thread=threads[2], employee=bob, text="Hmm")
    services.thread_delete(thread=threads[3], employee=bob)
    live = counters_read()
    recount = thread_counters_recount()
    assert {k: v for k, v in live.items() if v} == {k: v for k, v in recount.items() if v}


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
    services.thread_receive(
        thread=first, incoming=CustomerMessage(text="Again", source=Source.FORM)
    )
    assert boxes()[support.pk] == 2
    live = counters_read()
    assert {k: v for k, v in live.items() if v} == {
        k: v for k, v in thread_counters_recount().items() if v
    }
    assert counters.unread_by_contact()[counters.unread_counter(support.pk)] == 2


def test_the_contact_boxes_count_nothing_whatever_the_backlog(django_assert_num_queries):
    for n in range(30):
        make_thread(email=f"u{n}@example.com")
    with django_assert_num_queries(2):  # the contacts with their oldest unread, the counters
        boxes = stats.contact_boxes()
    assert sum(box.unread for box in boxes) == 30
