"""Writing the events other systems hear about (see ``OutboundEvent``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from comptoir.staff.models import Employee
from comptoir.threads.models import Message, OutboundEvent, Thread, Topic


@dataclass(frozen=True)
class Event:
    topic: Topic
    message: Message | None = None
    employee: Employee | None = None
    data: dict[str, object] = field(default_factory=dict)


def events_publish(*, thread: Thread, events: Iterable[Event]) -> None:
    """Several events of one change in one statement."""
    events_publish_many([(thread, event) for event in events])


def events_publish_many(events: Iterable[tuple[Thread, Event]]) -> None:
    """Events of several threads in one statement."""
    rows = [
        OutboundEvent(
            topic=event.topic,
            thread_id=thread.pk,
            message_id=event.message.pk if event.message else None,
            employee_id=event.employee.pk if event.employee else None,
            data=event.data,
        )
        for thread, event in events
    ]
    if rows:
        OutboundEvent.objects.bulk_create(rows)


def event_publish(
    topic: Topic,
    *,
    thread: Thread,
    message: Message | None = None,
    employee: Employee | None = None,
    **data: object,
) -> None:
    """Record ``topic`` for the webhooks; call inside the transaction of the change."""
    OutboundEvent.objects.create(
        topic=topic,
        thread_id=thread.pk,
        message_id=message.pk if message else None,
        employee_id=employee.pk if employee else None,
        data=data,
    )
