"""What the thread page shows of a thread: its messages with their outgoing e-mail and files, its
events, and the timeline of both with the order's history, read as values (``values_list``)
into small records, each with its employee."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from comptoir.shop.models import OrderHistory
from comptoir.staff.directory import employees_by_pk
from comptoir.staff.models import Employee
from comptoir.threads.cc import cc_join, cc_suggested
from comptoir.threads.models import (
    Attachment,
    Author,
    EmailStatus,
    EventKind,
    Message,
    Thread,
    ThreadEvent,
)
from comptoir.threads.news import Seen


@dataclass(slots=True)
class ShownEmail:
    pk: int
    status: str
    last_error: str
    from_email: str = ""
    sent_via: str = ""


@dataclass(slots=True)
class ShownFile:
    pk: int
    original_name: str
    size: int


@dataclass(slots=True)
class ShownMessage:
    pk: int
    author: str
    employee_id: int | None
    private: bool
    is_auto_reply: bool
    created_at: Any
    text: str
    html: str
    quoted_text: str
    cc: str
    sender_proof: str
    email: ShownEmail | None
    employee: Employee | None = None
    files: list[ShownFile] = field(default_factory=list)


@dataclass(slots=True)
class ShownEvent:
    pk: int
    kind: str
    employee_id: int | None
    data: Any
    created_at: Any
    employee: Employee | None = None


def thread_messages(thread_id: int) -> list[ShownMessage]:
    """A thread's messages in order, each with its e-mail's delivery and its files."""
    shown = []
    rows = (
        Message.objects.filter(thread_id=thread_id)
        .order_by("created_at", "id")
        .values_list(
            *("id", "author", "employee_id", "private", "is_auto_reply", "created_at"),
            *("text", "html", "quoted_text", "cc", "sender_proof"),
            *("outbound_email__id", "outbound_email__status", "outbound_email__last_error"),
            *("outbound_email__from_email", "outbound_email__sent_via"),
        )
    )
    for row in rows:
        pk, author, employee_id, private, auto, at, text, html, quoted, cc, proof = row[:11]
        email_id, status, last_error, from_email, sent_via = row[11:16]
        email = (
            ShownEmail(email_id, status, last_error, from_email, sent_via)
            if email_id is not None
            else None
        )
        shown.append(
            ShownMessage(
                *(pk, author, employee_id, private, auto, at),
                *(text, html, quoted, cc, proof, email),
            )
        )
    by_pk = {message.pk: message for message in shown}
    files = (
        Attachment.objects.filter(message__thread_id=thread_id)
        .order_by("id")
        .values_list("message_id", "id", "original_name", "size")
    )
    for message_id, pk, name, size in files:
        if message_id in by_pk:
            by_pk[message_id].files.append(ShownFile(pk, name, size))
    return shown


def thread_events(thread_id: int) -> list[ShownEvent]:
    rows = (
        ThreadEvent.objects.filter(thread_id=thread_id)
        .order_by("created_at", "id")
        .values_list("id", "kind", "employee_id", "data", "created_at")
    )
    return [ShownEvent(*row) for row in rows]


def employees_attach(rows: Sequence[ShownMessage | ShownEvent], staff: list[Employee]) -> None:
    """Each row's employee from those already loaded for the page's forms (``staff``); former
    employees in one query."""
    by_pk = employees_by_pk((row.employee_id for row in rows), staff)
    for row in rows:
        if row.employee_id is not None:
            row.employee = by_pk.get(row.employee_id)


def thread_timeline(
    thread: Thread, messages: list[ShownMessage], events: list[ShownEvent]
) -> list[dict[str, Any]]:
    """Messages, events and the order's history, newest first."""
    items: list[dict[str, Any]] = [
        {"kind": "message", "at": m.created_at, "message": m} for m in messages
    ]
    items += [{"kind": "event", "at": e.created_at, "event": e} for e in events]
    if thread.order_id is not None:
        history = OrderHistory.objects.filter(order_id=thread.order_id).select_related("state")
        items += [{"kind": "order", "at": h.created_at, "history": h} for h in history]
    items.sort(key=lambda item: item["at"], reverse=True)
    return items


def thread_items(thread: Thread, staff: list[Employee]) -> dict[str, Any]:
    """The thread page's repeated parts (``threads/_messages.jinja``, ``threads/_timeline.jinja``)
    and the choices their templates compare with; employees from ``staff``, the page's list."""
    messages = thread_messages(thread.pk)
    events = thread_events(thread.pk)
    employees_attach([*messages, *events], staff)
    return {
        "thread_messages": messages,
        # What the reply and note forms carry: the collision rule's starting point.
        "seen": Seen(
            max((m.pk for m in messages), default=0), max((e.pk for e in events), default=0)
        ),
        "timeline": thread_timeline(thread, messages, events),
        "email_statuses": EmailStatus,
        "event_kinds": EventKind,
    }


def thread_copies_suggested(
    thread: Thread, messages: Sequence[ShownMessage], *, own: Sequence[str]
) -> str:
    """The Cc a reply starts with: those of the customer's latest message, without the customer
    and the shop's own addresses (``own``); from the messages the page already read."""
    latest = next(
        (m for m in reversed(messages) if m.author == Author.CUSTOMER and not m.private), None
    )
    if latest is None or not latest.cc:
        return ""
    return cc_join(cc_suggested(stored=latest.cc, customer=thread.email, own=own))


OTHERS_SHOWN = 10


def thread_others(thread: Thread, visible: QuerySet[Thread]) -> list[dict[str, Any]]:
    """The customer's other conversations (same customer or same address) among ``visible``
    (the employee's), newest first, at most ``OTHERS_SHOWN``: one query, by two indexes. Threads
    merged into another are left out (they are empty)."""
    same = Q(email=thread.email)
    if thread.customer_id is not None:
        same |= Q(customer_id=thread.customer_id)
    rows = (
        visible.filter(same, merged_into__isnull=True)
        .exclude(pk=thread.pk)
        .order_by("-last_message_at", "-id")
        .values("pk", "email", "status", "last_message_at", "last_message_excerpt", "message_count")
    )
    return [dict(row) for row in rows[:OTHERS_SHOWN]]
