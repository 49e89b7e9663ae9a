"""A read compiled once gives what the ORM gives, on every database, for every value."""

from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from comptoir.lib.prepared import PreparedModels, PreparedRows
from comptoir.testing import make_customer, make_thread
from comptoir.threads import services
from comptoir.threads.models import EventKind, Message, Thread, ThreadEvent

pytestmark = pytest.mark.django_db

EVENTS = PreparedRows(
    lambda thread, kind: (
        ThreadEvent.objects.filter(thread_id=thread, kind=kind)
        .order_by("id")
        .values_list("id", "kind", "data", "created_at")
    ),
    "thread",
    "kind",
)
MESSAGES = PreparedRows(
    lambda thread: (
        Message.objects.filter(thread_id=thread)
        .order_by("id")
        .values_list("id", "private", "created_at", "outbound_email__status")
    ),
    "thread",
)


def test_rows_are_converted_as_the_orm_converts_them(bob):
    thread = make_thread(text="Hello")
    services.thread_note(thread=thread, employee=bob, text="Between us")
    expected = list(
        Message.objects.filter(thread=thread)
        .order_by("id")
        .values_list("id", "private", "created_at", "outbound_email__status")
    )
    rows = MESSAGES(thread=thread.pk)
    assert rows == expected
    assert [row[1] for row in rows] == [False, True]  # booleans, not 0 and 1
    assert all(isinstance(row[2], datetime) and row[2].tzinfo is not None for row in rows)


def test_each_call_runs_with_its_own_values_in_one_statement(bob):
    first, second = make_thread(), make_thread()
    services.thread_assign(thread=first, employee=bob, assignee=bob)
    services.thread_assign(thread=second, employee=bob, assignee=bob)
    services.thread_assign(thread=second, employee=bob, assignee=None)
    EVENTS(thread=first.pk, kind=EventKind.ASSIGNED)  # compiled here
    with CaptureQueriesContext(connection) as queries:
        rows_first = EVENTS(thread=first.pk, kind=EventKind.ASSIGNED)
        rows_second = EVENTS(thread=second.pk, kind=EventKind.ASSIGNED)
        none = EVENTS(thread=second.pk, kind="nothing")
    assert len(queries) == 3
    assert len(rows_first) == 1
    assert len(rows_second) == 2
    assert none == []
    events = ThreadEvent.objects.filter(thread=second, kind=EventKind.ASSIGNED).order_by("id")
    assert [row[2] for row in rows_second] == [e.data for e in events]  # JSON, decoded
    assert isinstance(rows_second[0][2], dict)


def test_a_value_that_changes_the_sql_cannot_be_prepared():
    twice = PreparedRows(
        lambda pk: Message.objects.filter(Q(id=pk) | Q(thread_id=pk)).values_list("id"), "pk"
    )
    with pytest.raises(ValueError, match="appears 2 times"):
        twice(pk=1)
    unused = PreparedRows(lambda thread: Message.objects.values_list("id"), "thread")
    with pytest.raises(ValueError, match="appears 0 times"):
        unused(thread=1)


THREADS = PreparedModels(
    Thread,
    lambda pk: Thread.objects.select_related("contact", "customer", "assignee").filter(pk=pk),
    "pk",
)


def test_models_come_with_their_related_models_in_one_statement(bob):
    customer = make_customer(email="ana@example.com")
    thread = make_thread(email="ana@example.com", customer=customer)
    services.thread_assign(thread=thread, employee=bob, assignee=bob)
    alone = make_thread(email="bea@example.com")
    Thread.objects.filter(pk=alone.pk).update(contact=None)
    THREADS.first(pk=thread.pk)  # compiled here
    with CaptureQueriesContext(connection) as queries:
        found = THREADS.first(pk=thread.pk)
        other = THREADS.first(pk=alone.pk)
        missing = THREADS.first(pk=alone.pk + 1000)
        assert found is not None
        assert other is not None
        assert found.customer == customer
        assert found.assignee == bob
        assert found.contact == thread.contact
        assert found.contact is not None
        assert other.customer is None
        assert other.assignee is None
        assert other.contact is None
    assert len(queries) == 3  # the related models were attached, not read again
    assert missing is None
    assert found.last_message_at == Thread.objects.get(pk=thread.pk).last_message_at
    assert not found._state.adding
    assert found._state.db == "default"


def test_a_values_queryset_is_not_a_models_one():
    def values(pk: int) -> Any:  # a queryset of dicts, which the types refuse
        return Thread.objects.filter(pk=pk).values("id")

    wrong = PreparedModels(Thread, values, "pk")
    with pytest.raises(ValueError, match="not a plain queryset of Thread"):
        wrong(pk=1)


def test_an_integer_no_column_can_hold_matches_nothing():
    thread = make_thread()
    assert THREADS.first(pk=thread.pk) is not None
    assert THREADS.first(pk=2**70) is None  # SQLite raised OverflowError on it
    assert MESSAGES(thread=-(2**70)) == []
