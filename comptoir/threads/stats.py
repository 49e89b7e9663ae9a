"""The numbers of the customer service page: KPI tiles, the Statistics box, the contact boxes.

Each reads counters or an indexed range of rows: none scans all threads or all messages. The two
30-day averages grow with the shop's traffic (a month of threads: about 200 ms at 10^6 threads),
so they are kept in the shared cache, as PrestaShop keeps its KPIs (for hours there), and the
worker computes them again before they leave it: a page computes them only when no worker runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Avg, F, FloatField, Func, OuterRef, Subquery, Value
from django.utils import timezone

from comptoir.threads import counters
from comptoir.threads.models import Contact, DeskCounter, Status, Thread

KPI_WINDOW = timedelta(days=30)
KPI_CACHE_KEY = "desk:kpi-averages:v1"
KPI_CACHE_SECONDS = 10 * 60
# How often the worker computes them again (well before they leave the cache).
KPI_REFRESH_SECONDS = 4 * 60


class SecondsBetween(Func):
    """``end - start`` in seconds, computed by the database itself.

    Django's own datetime subtraction calls back into Python for every row on SQLite; over a
    month of threads that costs more than the rest of the page.
    """

    output_field = FloatField()

    def __init__(self, end: str, start: str) -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "((julianday(%(expressions)s) - julianday(%(start)s)) * 86400.0)"
        return self._two(compiler, connection, template)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self._two(compiler, connection, "EXTRACT(EPOCH FROM (%(expressions)s - %(start)s))")

    def as_mysql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "(TIMESTAMPDIFF(MICROSECOND, %(start)s, %(expressions)s) / 1000000.0)"
        return self._two(compiler, connection, template)

    def _two(self, compiler: Any, connection: Any, template: str) -> Any:
        end_sql, end_params = compiler.compile(self.source_expressions[0])
        start_sql, start_params = compiler.compile(self.source_expressions[1])
        sql = template % {"expressions": end_sql, "start": start_sql}
        return sql, (*end_params, *start_params)


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


def desk_statistics(values: Mapping[str, int] | None = None) -> DeskStatistics:
    """From the counters (``values``: already read by the caller)."""
    values = counters.counters_read() if values is None else values

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


def kpi_averages_compute() -> tuple[float | None, float | None]:
    """(average first response in seconds, messages per closed thread) over the last 30 days."""
    since = timezone.now() - KPI_WINDOW
    response = Thread.objects.filter(
        first_response_at__gte=since, first_customer_message_at__isnull=False
    ).aggregate(average=Avg(SecondsBetween("first_response_at", "first_customer_message_at")))
    closed = Thread.objects.filter(status=Status.CLOSED, status_changed_at__gte=since).aggregate(
        average=Avg("message_count")
    )
    seconds, messages = response["average"], closed["average"]
    return (
        float(seconds) if seconds is not None else None,
        float(messages) if messages else None,
    )


def kpi_averages_refresh() -> tuple[float | None, float | None]:
    """Compute the averages and keep them in the cache (the worker, every few minutes)."""
    averages = kpi_averages_compute()
    cache.set(KPI_CACHE_KEY, averages, KPI_CACHE_SECONDS)
    return averages


def kpis(statistics: DeskStatistics) -> Kpis:
    averages = cache.get(KPI_CACHE_KEY)
    if averages is None:  # no worker has computed them lately
        averages = kpi_averages_refresh()
    seconds, messages = averages
    return Kpis(
        pending_discussions=statistics.open_threads + statistics.pending_threads,
        average_first_response=timedelta(seconds=seconds) if seconds is not None else None,
        messages_per_closed_thread=messages,
    )


@dataclass(frozen=True)
class ContactBox:
    contact: Contact
    unread: int
    oldest_unread_id: int | None


def contact_boxes(values: Mapping[str, int] | None = None) -> list[ContactBox]:
    """One box per contact that saves messages: unread count and the oldest unread thread.

    The counts are counters (``counters.unread_counter``; ``values``: already read by the
    caller): counting them from the rows read every unread thread's index entry, on every poll
    of every open page."""
    # Value(True) makes "is_unread = true" rather than a bare "is_unread": only the former lets
    # SQLite use the (contact, is_unread, last customer message) index.
    unread = Thread.objects.filter(contact=OuterRef("pk"), is_unread=Value(True))
    contacts = Contact.objects.filter(save_messages=True).annotate(
        oldest=Subquery(unread.order_by("last_customer_message_at", "id").values("id")[:1]),
    )
    rows = list(contacts.order_by("position", "id"))
    names = [counters.unread_counter(contact.pk) for contact in rows]
    counts = (
        values
        if values is not None
        else dict(DeskCounter.objects.filter(name__in=names).values_list("name", "value"))
    )
    return [
        ContactBox(
            contact=contact,
            unread=max(0, counts.get(name, 0)),
            oldest_unread_id=contact.oldest,
        )
        for contact, name in zip(rows, names, strict=True)
    ]


def view_counts(values: Mapping[str, int], *, employee_id: int | None) -> dict[str, int]:
    """How many threads each view of the list holds (``listing.VIEWS``), from the counters
    (``values``: ``counters.counters_read()``): at any size, no thread row is read."""

    def get(name: str) -> int:
        # The views leave snoozed threads out (``listing``), so their counts do too.
        awake = values.get(name, 0) - values.get(counters.snoozed_counter(name), 0)
        return max(0, awake)

    return {
        "mine": get(counters.assigned_counter(employee_id)) if employee_id is not None else 0,
        "unassigned": get(counters.assigned_counter(None)),
        "open": get(counters.status_counter(Status.OPEN)),
        "pending": get(counters.status_counter(Status.PENDING1))
        + get(counters.status_counter(Status.PENDING2)),
        "closed": get(counters.status_counter(Status.CLOSED)),
    }


@dataclass(frozen=True)
class DeskNumbers:
    statistics: DeskStatistics
    kpis: Kpis
    boxes: list[ContactBox]
    # The counters as read for the numbers above (the views' counts come from them too).
    values: Mapping[str, int]


def desk_numbers() -> DeskNumbers:
    """Everything the customer service page shows above its list, the counters read once."""
    values = counters.counters_read()
    statistics = desk_statistics(values)
    return DeskNumbers(statistics, kpis(statistics), contact_boxes(values), values)
