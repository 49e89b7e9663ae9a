"""The numbers of the customer service page: KPI tiles, the Statistics box, the contact boxes.

Each reads counters or an indexed range of rows: none scans all threads or all messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, OuterRef, Subquery
from django.utils import timezone

from comptoir.threads import counters
from comptoir.threads.models import Contact, Status, Thread

KPI_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class DeskStatistics:
    total_threads: int
    pending_threads: int
    customer_messages: int
    employee_messages: int
    unread_threads: int
    closed_threads: int
    open_threads: int


@dataclass(frozen=True)
class Kpis:
    pending_discussions: int
    average_first_response: timedelta | None
    messages_per_closed_thread: float | None


def desk_statistics() -> DeskStatistics:
    values = counters.counters_read()

    def get(name: str) -> int:
        return max(0, values.get(name, 0))

    return DeskStatistics(
        total_threads=get(counters.THREADS),
        pending_threads=get(counters.status_counter(Status.PENDING1))
        + get(counters.status_counter(Status.PENDING2)),
        customer_messages=get(counters.CUSTOMER_MESSAGES),
        employee_messages=get(counters.EMPLOYEE_MESSAGES),
        unread_threads=get(counters.UNREAD),
        closed_threads=get(counters.status_counter(Status.CLOSED)),
        open_threads=get(counters.status_counter(Status.OPEN)),
    )


def kpis(statistics: DeskStatistics) -> Kpis:
    since = timezone.now() - KPI_WINDOW
    response = Thread.objects.filter(
        first_response_at__gte=since, first_customer_message_at__isnull=False
    ).aggregate(
        average=Avg(
            ExpressionWrapper(
                F("first_response_at") - F("first_customer_message_at"),
                output_field=DurationField(),
            )
        )
    )
    closed = Thread.objects.filter(status=Status.CLOSED, status_changed_at__gte=since).aggregate(
        average=Avg("message_count")
    )
    average = response["average"]
    return Kpis(
        pending_discussions=statistics.open_threads + statistics.pending_threads,
        average_first_response=average if isinstance(average, timedelta) else None,
        messages_per_closed_thread=float(closed["average"]) if closed["average"] else None,
    )


@dataclass(frozen=True)
class ContactBox:
    contact: Contact
    unread: int
    oldest_unread_id: int | None


def contact_boxes() -> list[ContactBox]:
    """One box per contact that saves messages: unread count and the oldest unread thread."""
    unread = Thread.objects.filter(contact=OuterRef("pk"), is_unread=True)
    contacts = Contact.objects.filter(save_messages=True).annotate(
        unread=Subquery(
            unread.order_by().values("contact").annotate(n=Count("id")).values("n")[:1]
        ),
        oldest=Subquery(unread.order_by("last_customer_message_at", "id").values("id")[:1]),
    )
    return [
        ContactBox(contact=contact, unread=contact.unread or 0, oldest_unread_id=contact.oldest)
        for contact in contacts.order_by("position", "id")
    ]
