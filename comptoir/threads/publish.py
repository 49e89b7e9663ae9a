"""Writing the events other systems hear about (see ``OutboundEvent``).

An event nobody subscribes to is not written: the worker would only delete it, and mail
ingestion wrote one or two per message. Who listens is asked of the webhooks app
(``comptoir.api``, which registers ``listened_topics_source`` when it is ready: the threads app
does not know about webhooks); with no source, every event is written. A webhook hears the
changes made after it was saved.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from comptoir.staff.models import Employee
from comptoir.threads.models import Message, OutboundEvent, Thread, Topic


@dataclass(frozen=True)
class Event:
    topic: Topic
    message: Message | None = None
    employee: Employee | None = None
    data: dict[str, object] = field(default_factory=dict)


_listened: Callable[[], Collection[str]] | None = None


def listened_topics_source(source: Callable[[], Collection[str]] | None) -> None:
    """``source()``: the topics someone subscribes to now (one query; None: everything)."""
    global _listened
    _listened = source


def _heard(events: Iterable[tuple[Thread, Event]]) -> list[tuple[Thread, Event]]:
    events = list(events)
    if _listened is None or not events:
        return events
    topics = _listened()
    return [(thread, event) for thread, event in events if event.topic in topics]


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
        for thread, event in _heard(events)
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
    events_publish_many([(thread, Event(topic, message, employee, dict(data)))])
