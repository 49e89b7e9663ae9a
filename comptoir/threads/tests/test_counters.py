"""The desk counters: the changes of one service are written together, and only if it succeeds."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from comptoir.testing import make_thread
from comptoir.threads import counters, services
from comptoir.threads.counters import counters_deferred, counters_read, thread_counters_recount
from comptoir.threads.models import Status

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
