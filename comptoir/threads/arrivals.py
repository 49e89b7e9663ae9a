"""Customers' messages arriving, from any channel (contact form, e-mail, API): each joins its
thread or starts a new one. ``threads.services`` re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from comptoir.lib.addresses import email_normalize
from comptoir.lib.rows import rows_insert, rows_update
from comptoir.shop.models import Customer, Order
from comptoir.threads import counters
from comptoir.threads.counters import Counted, counter_deltas
from comptoir.threads.messages import (
    CustomerMessage,
    attachments_link,
    message_apply,
    message_build,
    status_set,
    thread_lock,
)
from comptoir.threads.models import (
    Attachment,
    Author,
    Contact,
    EventKind,
    Message,
    Status,
    Thread,
    ThreadEvent,
    Topic,
)
from comptoir.threads.notify import notify_customer_messages
from comptoir.threads.publish import Event, events_publish_many
from comptoir.threads.search_index import thread_search_refresh


@dataclass(frozen=True)
class NewThread:
    """Who starts a conversation, and about what."""

    email: str
    language: str
    contact: Contact | None = None
    customer: Customer | None = None
    order: Order | None = None
    product_reference: str = ""


@dataclass(frozen=True)
class Arrival:
    """A customer message for an existing ``thread``, or the first one of a ``new`` thread."""

    incoming: CustomerMessage
    thread: Thread | None = None
    new: NewThread | None = None
    attachments: Sequence[Attachment] = ()
    # An existing thread's language changes to this one (the customer switched).
    language: str | None = None


@dataclass(frozen=True)
class Arrived:
    thread: Thread
    message: Message


# What a customer message can change in an existing thread's row: what message_apply sets for a
# customer's message or note, the status, the unread flag and the language.
_ARRIVAL_FIELDS = [
    "status",
    "status_changed_at",
    "language",
    "is_unread",
    "has_private",
    "message_count",
    "last_message_at",
    "last_message_excerpt",
    "last_message_from",
    "last_customer_message_at",
    "first_customer_message_at",
    "snoozed_until",
    "updated_at",
]


def _thread_new(new: NewThread, incoming: CustomerMessage, now: datetime) -> Thread:
    return Thread(
        contact=new.contact,
        customer=new.customer,
        order=new.order,
        product_reference=new.product_reference,
        email=email_normalize(new.email),
        language=new.language,
        status=Status.OPEN,
        is_unread=not incoming.is_auto_reply,
        created_at=now,
        status_changed_at=now,
        updated_at=now,
    )


@transaction.atomic
def threads_receive(arrivals: Sequence[Arrival]) -> list[Arrived]:
    """Customer messages, each into its thread or a new one, in the order given.

    A message into an existing thread re-opens it and marks it unread; an auto-reply (out of
    office…) is kept as a private note and changes nothing else. However many messages arrive,
    the writes are the same few statements: the threads locked in one query, the new threads, the
    messages, their files, the events and the webhooks' events each in one INSERT, the existing
    threads in one UPDATE, the counters in one.
    """
    now = timezone.now()
    known = sorted({a.thread.pk for a in arrivals if a.thread is not None})
    locked = Thread.objects.select_for_update().filter(pk__in=known).order_by("pk") if known else []
    threads = {thread.pk: thread for thread in locked}
    created: list[Thread] = []
    changed: dict[int, Thread] = {}
    before: dict[int, Counted] = {}
    messages: list[Message] = []
    events: list[tuple[Thread, EventKind, dict[str, object]]] = []
    published: list[tuple[Thread, Event]] = []
    for arrival in arrivals:
        incoming = arrival.incoming
        auto = incoming.is_auto_reply
        reopened: dict[str, object] | None = None
        if arrival.new is not None:
            thread = _thread_new(arrival.new, incoming, now)
            created.append(thread)
            events.append((thread, EventKind.CREATED, {"source": incoming.source}))
        elif arrival.thread is not None:
            thread = threads.get(arrival.thread.pk) or thread_lock(arrival.thread)  # DoesNotExist
            changed[thread.pk] = thread
            before.setdefault(thread.pk, Counted.of(thread))
            previous = thread.status
            if not auto:  # an auto-reply changes nothing but the message count
                if status_set(thread, Status.OPEN):
                    reopened = {"old": previous, "new": Status.OPEN}
                    events.append((thread, EventKind.REOPENED, reopened))
                thread.language = arrival.language or thread.language
                thread.is_unread = True
                if thread.snoozed_until is not None:  # the customer wrote: back before its time
                    thread.snoozed_until = None
                    events.append((thread, EventKind.UNSNOOZED, {"reason": "customer"}))
        else:
            raise ValueError("an arrival names a thread or a new one")
        # An auto-reply into a thread is a private note; as a first message it starts the thread.
        private = auto and arrival.new is None
        message_apply(
            thread,
            author=Author.CUSTOMER,
            text=incoming.text,
            private=private,
            at=now,
            employee=None,
        )
        message = message_build(
            thread,
            author=Author.CUSTOMER,
            text=incoming.text,
            source=incoming.source,
            at=now,
            private=private,
            incoming=incoming,
        )
        messages.append(message)
        if arrival.new is not None:
            published.append((thread, Event(Topic.THREAD_CREATED, message=message)))
        if not auto:
            published.append((thread, Event(Topic.MESSAGE_RECEIVED, message=message)))
        if reopened is not None:
            published.append((thread, Event(Topic.STATUS_CHANGED, data=reopened)))
    rows_insert(created)
    rows_insert(messages)
    thread_search_refresh(thread_ids=[m.thread_id for m in messages])
    notify_customer_messages(messages)
    attachments_link([(m, a.attachments) for m, a in zip(messages, arrivals, strict=True)])
    if changed:
        for thread in changed.values():
            thread.updated_at = now
        rows_update(list(changed.values()), _ARRIVAL_FIELDS)
    rows_insert(
        [ThreadEvent(thread=t, kind=kind, data=data, created_at=now) for t, kind, data in events]
    )
    events_publish_many(published)
    counters.counters_apply(
        counters.deltas_sum(
            counter_deltas(None, None, messages={Author.CUSTOMER: len(messages)}),
            counters.counter_deltas_many(
                [(None, Counted.of(thread)) for thread in created]
                + [(before[pk], Counted.of(thread)) for pk, thread in changed.items()]
            ),
        )
    )
    return [Arrived(m.thread, m) for m in messages]


def thread_open(
    *,
    email: str,
    incoming: CustomerMessage,
    language: str,
    contact: Contact | None = None,
    customer: Customer | None = None,
    order: Order | None = None,
    product_reference: str = "",
    attachments: Sequence[Attachment] = (),
) -> tuple[Thread, Message]:
    """A new conversation started by a customer, with its first message."""
    new = NewThread(email, language, contact, customer, order, product_reference)
    (arrived,) = threads_receive([Arrival(incoming, new=new, attachments=attachments)])
    return arrived.thread, arrived.message


def thread_receive(
    *,
    thread: Thread,
    incoming: CustomerMessage,
    attachments: Sequence[Attachment] = (),
    language: str | None = None,
) -> Message:
    """A customer wrote again: the message joins the thread (see ``threads_receive``)."""
    arrival = Arrival(incoming, thread=thread, attachments=attachments, language=language)
    return threads_receive([arrival])[0].message
