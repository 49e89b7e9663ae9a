"""What becomes of an outgoing e-mail once it has left: the one place that records a failed
delivery, whether the server refused it (the outbox) or a bounce came back (inbound mail), and
an employee's retry of it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from comptoir.staff.models import Employee
from comptoir.threads.models import EmailStatus, EventKind, OutboundEmail, ThreadEvent

# What a thread's timeline keeps of the reason; the e-mail's row keeps more.
EVENT_ERROR_LENGTH = 500
ERROR_LENGTH = 2000


@transaction.atomic
def outbound_email_failed(*, email: OutboundEmail, reason: str) -> None:
    """Mark ``email`` failed for good, with ``reason`` (for the employee who may retry it), and
    record the failure on its thread's timeline. No webhook topic covers a failed delivery."""
    email.status = EmailStatus.FAILED
    email.last_error = reason[:ERROR_LENGTH]
    email.save(update_fields=["status", "last_error"])
    if email.thread_id is not None:
        ThreadEvent.objects.create(
            thread_id=email.thread_id,
            kind=EventKind.DELIVERY_FAILED,
            data={
                "email": email.pk,
                "to": email.to_email,
                "error": email.last_error[:EVENT_ERROR_LENGTH],
            },
        )


@transaction.atomic
def outbound_email_retry(*, email: OutboundEmail, employee: Employee) -> bool:
    """Queue a failed e-mail again (an employee's "retry"); False when it had not failed."""
    queued = OutboundEmail.objects.filter(pk=email.pk, status=EmailStatus.FAILED).update(
        status=EmailStatus.QUEUED, next_attempt_at=timezone.now(), attempts=0, last_error=""
    )
    return bool(queued)
