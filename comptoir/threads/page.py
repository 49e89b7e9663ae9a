"""What the thread page shows of a thread: its messages, with their outgoing e-mail and their
files, and its events, each with its employee; only the columns the page shows."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from comptoir.shop.models import OrderHistory
from comptoir.threads.models import (
    Attachment,
    EmailStatus,
    EventKind,
    Message,
    OutboundEmail,
    Thread,
    ThreadEvent,
)


def thread_messages(thread: Thread) -> list[Message]:
    """A thread's messages in order. Each has ``email``, its outgoing e-mail (None for a
    customer's message or a note), and ``files``, its attachments."""
    emails = OutboundEmail.objects.only("message_id", "status", "last_error")
    files = Attachment.objects.only("message_id", "original_name", "size").order_by("id")
    return list(
        Message.objects.filter(thread=thread)
        .order_by("created_at", "id")
        .only(
            *("thread_id", "author", "employee_id", "private", "is_auto_reply", "created_at"),
            *("text", "html", "quoted_text"),
        )
        .prefetch_related(
            "employee",
            Prefetch("outbound_email", queryset=emails, to_attr="email"),
            Prefetch("attachments", queryset=files, to_attr="files"),
        )
    )


def thread_events(thread: Thread) -> list[ThreadEvent]:
    return list(
        ThreadEvent.objects.filter(thread=thread)
        .order_by("created_at", "id")
        .only("thread_id", "kind", "employee_id", "data", "created_at")
        .prefetch_related("employee")
    )


def thread_timeline(
    thread: Thread, messages: list[Message], events: list[ThreadEvent]
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


def thread_items(thread: Thread) -> dict[str, Any]:
    """The thread page's repeated parts (``threads/_messages.html``, ``threads/_timeline.html``)
    and the choices their templates compare with."""
    messages = thread_messages(thread)
    return {
        "thread_messages": messages,
        "timeline": thread_timeline(thread, messages, thread_events(thread)),
        "email_statuses": EmailStatus,
        "event_kinds": EventKind,
    }
