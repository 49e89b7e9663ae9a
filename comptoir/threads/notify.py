"""What the thread services tell employees: each function turns one change into the
notifications of ``comptoir.notifications`` (one line in the service that makes the change,
inside its transaction). Who is told, and how, is decided there."""

from __future__ import annotations

from collections.abc import Sequence

from comptoir.notifications.mentions import mentioned
from comptoir.notifications.models import NotificationKind
from comptoir.notifications.services import Happening, notifications_add
from comptoir.staff.directory import active_employees
from comptoir.staff.models import Employee
from comptoir.threads.models import Message, Thread, ThreadEvent


def notify_customer_messages(messages: Sequence[Message]) -> None:
    """The assignee of each thread a customer wrote in (an auto-reply tells nobody)."""
    notifications_add(
        happenings=[
            Happening(
                NotificationKind.CUSTOMER_MESSAGE,
                employee_id=message.thread.assignee_id,
                thread_id=message.thread_id,
                key=f"message:{message.pk}",
                message_id=message.pk,
                text=message.text,
            )
            for message in messages
            if message.thread.assignee_id is not None and not message.private
        ]
    )


def notify_assigned(
    thread: Thread, event: ThreadEvent | None, employee: Employee | None, *, forwarded: bool = False
) -> None:
    """The new assignee of ``thread`` (``event``: the assignment's, None when nothing changed)."""
    if event is None or thread.assignee_id is None:
        return
    kind = NotificationKind.FORWARDED if forwarded else NotificationKind.ASSIGNED
    notifications_add(
        happenings=[
            Happening(
                kind,
                employee_id=thread.assignee_id,
                thread_id=thread.pk,
                key=f"event:{event.pk}",
                actor_id=employee.pk if employee else None,
            )
        ]
    )


def notify_mentions(thread: Thread, message: Message, employee: Employee) -> None:
    """The colleagues a private note mentions with ``@name`` (``notifications.mentions``)."""
    if "@" not in message.text:
        return
    notifications_add(
        happenings=[
            Happening(
                NotificationKind.MENTIONED,
                employee_id=colleague.pk,
                thread_id=thread.pk,
                key=f"message:{message.pk}",
                actor_id=employee.pk,
                message_id=message.pk,
                text=message.text,
            )
            for colleague in mentioned(message.text, active_employees())
        ]
    )


def notify_snooze_ended(threads: Sequence[Thread], events: Sequence[ThreadEvent]) -> None:
    """The assignees of threads back from snooze (each with the event that woke it)."""
    notifications_add(
        happenings=[
            Happening(
                NotificationKind.SNOOZE_ENDED,
                employee_id=thread.assignee_id,
                thread_id=thread.pk,
                key=f"event:{event.pk}",
            )
            for thread, event in zip(threads, events, strict=True)
            if thread.assignee_id is not None
        ]
    )
