"""Rows written many at once: ``rows_insert`` stores what ``bulk_create`` stores, in one statement,
and ``rows_update`` what ``save(update_fields=…)`` does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, models
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext

from comptoir.lib.rows import rows_insert, rows_update
from comptoir.testing import default_contact, make_customer
from comptoir.threads.models import Author, Contact, Message, Source, Status, Thread, ThreadEvent

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)


def _threads(tag: str) -> list[Thread]:
    customer = make_customer(email=f"{tag}@example.com")
    return [
        Thread(
            contact=default_contact() if n % 2 else None,
            customer=customer if n % 3 == 0 else None,
            email=f"{tag}{n}@example.com",
            language=("en", "fr", "es")[n % 3],
            status=(Status.OPEN, Status.PENDING1)[n % 2],
            is_unread=bool(n % 2),
            message_count=n,
            last_message_excerpt="Où est ma commande ? ✓ " * (n % 3),
            created_at=AT + timedelta(minutes=n),
            status_changed_at=AT,
            last_message_at=AT,
            updated_at=AT,
        )
        for n in range(7)
    ]


def _messages(threads: list[Thread]) -> list[Message]:
    return [
        Message(
            thread=thread,
            author=Author.CUSTOMER,
            text=f"message {n}\nsecond line",
            html="<p>hello</p>" if n % 2 else "",
            source=Source.EMAIL,
            is_auto_reply=n == 3,
            message_id=f"<m{n}@example.com>",
            ip_address=("192.0.2.7", "2001:db8::1", None)[n % 3],
            read_at=None if n % 2 else AT,
            created_at=AT,
        )
        for n, thread in enumerate(threads)
    ]


def _stored(model: type[models.Model], rows: list[Any], skip: set[str]) -> list[dict[str, Any]]:
    names = [
        f.attname for f in model._meta.concrete_fields if not f.primary_key and f.name not in skip
    ]
    found = model._default_manager.filter(pk__in=[row.pk for row in rows]).order_by("pk")
    return list(found.values(*names))


# Different by design between the two sets (or set by the clock: updated_at is auto_now).
SKIP = {"email", "customer", "link_secret", "updated_at"}


def test_rows_are_stored_as_bulk_create_stores_them():
    ours, theirs = _threads("a"), _threads("a2")
    before = datetime.now(UTC)
    rows_insert(ours)
    Thread.objects.bulk_create(theirs)
    assert all(t.pk is not None and not t._state.adding for t in ours)
    assert len({t.pk for t in ours}) == len(ours)
    assert _stored(Thread, ours, SKIP) == _stored(Thread, theirs, SKIP)
    assert [t.email for t in Thread.objects.filter(pk__in=[t.pk for t in ours]).order_by("pk")] == [
        t.email for t in ours
    ]  # the keys returned are the rows' own, in order
    assert all(t.updated_at >= before for t in Thread.objects.filter(pk__in=[t.pk for t in ours]))

    # Messages of threads that had no key when they were assigned: the key is taken now.
    fresh_ours, fresh_theirs = _threads("b"), _threads("b2")
    ours_messages, theirs_messages = _messages(fresh_ours), _messages(fresh_theirs)
    rows_insert(fresh_ours)
    Thread.objects.bulk_create(fresh_theirs)
    rows_insert(ours_messages)
    Message.objects.bulk_create(theirs_messages)
    assert [m.thread_id for m in ours_messages] == [t.pk for t in fresh_ours]
    assert _stored(Message, ours_messages, {"thread"}) == _stored(
        Message, theirs_messages, {"thread"}
    )
    stored = Message.objects.get(pk=ours_messages[1].pk)
    assert stored.ip_address == "2001:db8::1"
    assert stored.created_at == AT


def test_json_and_automatic_dates():
    threads = _threads("c")
    rows_insert(threads)
    events = [
        ThreadEvent(thread=t, kind="created", data={"source": "email", "n": n, "é": [1, None]})
        for n, t in enumerate(threads)
    ]
    rows_insert(events)
    assert ThreadEvent.objects.get(pk=events[2].pk).data == {
        "source": "email",
        "n": 2,
        "é": [1, None],
    }
    contact = Contact(email="shop@example.com", name={"en": "Shop"}, position=9)
    before = datetime.now(UTC)
    rows_insert([contact])
    stored = Contact.objects.get(pk=contact.pk)
    assert stored.name == {"en": "Shop"}
    assert stored.created_at >= before - timedelta(seconds=1)  # auto_now_add, set on the row too
    assert contact.created_at == stored.created_at


def test_one_statement_for_many_rows():
    threads = [t for tag in "defghijklmnopqrs" for t in _threads(tag)]  # 112 rows
    fields = [f for f in Thread._meta.concrete_fields if not f.primary_key]
    per_statement = connection.ops.bulk_batch_size(fields, threads)  # the backend's limit
    with CaptureQueriesContext(connection) as queries:
        rows_insert(threads)
    assert all(q["sql"].startswith("INSERT") for q in queries)
    assert len(queries) == -(-len(threads) // per_statement)
    assert Thread.objects.filter(pk__in=[t.pk for t in threads]).count() == 112


def test_what_it_does_not_prepare_goes_through_bulk_create():
    expression = _threads("t")[:2]
    expression[0].created_at = Now()  # an expression: the compiler's work
    rows_insert(expression)
    assert all(t.pk is not None for t in expression)
    assert Thread.objects.get(pk=expression[0].pk).created_at.year >= 2026
    keyed = _threads("u")[:1]
    keyed[0].pk = 987_654
    rows_insert(keyed)
    assert Thread.objects.filter(pk=987_654, email="u0@example.com").exists()
    rows_insert([])


def test_an_unsaved_parent_is_refused_as_bulk_create_refuses_it():
    thread = _threads("v")[0]
    with pytest.raises(ValueError, match="unsaved related object"):
        rows_insert(_messages([thread]))
    assert not Message.objects.filter(message_id="<m0@example.com>").exists()


def test_rows_update_writes_values_and_refuses_expressions():
    threads = _threads("w")[:3]
    rows_insert(threads)
    for n, thread in enumerate(threads):
        thread.last_message_excerpt = f"now {n}"
        thread.is_unread = False
        thread.updated_at = AT + timedelta(days=n)
    rows_update(threads, ["last_message_excerpt", "is_unread", "updated_at"])
    stored = list(Thread.objects.filter(pk__in=[t.pk for t in threads]).order_by("pk"))
    assert [(t.last_message_excerpt, t.is_unread, t.updated_at) for t in stored] == [
        (f"now {n}", False, AT + timedelta(days=n)) for n in range(3)
    ]
    threads[0].updated_at = Now()
    with pytest.raises(ValueError, match="not expressions"):
        rows_update(threads, ["updated_at"])
    with pytest.raises(ValueError, match="not a column"):
        rows_update(threads, ["messages"])
