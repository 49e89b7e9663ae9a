"""Writing the events other systems hear about (see ``OutboundEvent``)."""

from __future__ import annotations

from comptoir.staff.models import Employee
from comptoir.threads.models import Message, OutboundEvent, Thread, Topic


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
