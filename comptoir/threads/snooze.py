"""Setting a thread aside until a date and time.

A snoozed thread keeps its status (it still waits for an answer: the counters keep it there)
and is marked read; it leaves the list's default view (``listing.apply_filters``). At
``snoozed_until`` the worker wakes it (``threads_snooze_wake``): open, unread, its assignee
told. A customer's message wakes it earlier (``threads.arrivals``).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.staff.models import Employee
from comptoir.threads.counters import (
    Counted,
    counter_deltas,
    counter_deltas_many,
    counters_apply,
)
from comptoir.threads.messages import event_add, status_set, thread_lock
from comptoir.threads.models import EventKind, Status, Thread, ThreadEvent, Topic
from comptoir.threads.notify import notify_snooze_ended
from comptoir.threads.publish import event_publish
from comptoir.threads.services import ThreadError

# The latest a thread may be snoozed until, from now.
SNOOZE_LONGEST = timedelta(days=366)
MORNING = time(8, 0)


def snooze_presets(now: datetime | None = None) -> dict[str, datetime]:
    """The thread page's choices, in the shop's time zone: in three hours ("later today"),
    tomorrow at 8:00, next Monday at 8:00."""
    local = timezone.localtime(now or timezone.now())
    zone = timezone.get_current_timezone()

    def morning(day: datetime) -> datetime:
        return timezone.make_aware(datetime.combine(day.date(), MORNING), zone)

    return {
        "later": (local + timedelta(hours=3)).replace(second=0, microsecond=0),
        "tomorrow": morning(local + timedelta(days=1)),
        "next_week": morning(local + timedelta(days=7 - local.weekday())),
    }


@transaction.atomic
def thread_snooze(*, thread: Thread, employee: Employee, until: datetime) -> Thread:
    """Set the thread aside until ``until`` (in the future, within a year)."""
    now = timezone.now()
    if until <= now:
        raise ThreadError(_("Choose a time in the future."))
    if until > now + SNOOZE_LONGEST:
        raise ThreadError(_("Choose a time within a year."))
    thread = thread_lock(thread)
    before = Counted.of(thread)
    thread.snoozed_until = until
    thread.is_unread = False  # seen and set aside; it comes back unread
    thread.save(update_fields=["snoozed_until", "is_unread", "updated_at"])
    event_add(thread, EventKind.SNOOZED, employee, until=until.isoformat())
    counters_apply(counter_deltas(before, Counted.of(thread)))
    return thread


@transaction.atomic
def thread_unsnooze(*, thread: Thread, employee: Employee) -> Thread:
    """Bring the thread back now, as it is (an employee's choice: its status stays)."""
    thread = thread_lock(thread)
    if thread.snoozed_until is not None:
        before = Counted.of(thread)
        thread.snoozed_until = None
        thread.save(update_fields=["snoozed_until", "updated_at"])
        event_add(thread, EventKind.UNSNOOZED, employee, reason="employee")
        counters_apply(counter_deltas(before, Counted.of(thread)))
    return thread


def threads_snooze_wake(*, now: datetime | None = None, limit: int = 100) -> int:
    """Wake the snoozed threads whose time has come: open, unread, the assignee told. Returns
    how many woke. Safe in several workers at once (rows another has locked are skipped)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = Thread.objects.filter(snoozed_until__lte=now).order_by("snoozed_until", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        else:
            due = due.select_for_update()
        threads = list(due[:limit])
        moves = []
        events = []
        for thread in threads:
            before = Counted.of(thread)
            previous = thread.status
            status_set(thread, Status.OPEN)
            thread.is_unread = True
            thread.snoozed_until = None
            thread.save(
                update_fields=[
                    "status",
                    "status_changed_at",
                    "is_unread",
                    "snoozed_until",
                    "updated_at",
                ]
            )
            data: dict[str, object] = {"reason": "time", "old": previous, "new": Status.OPEN}
            events.append(
                ThreadEvent.objects.create(thread=thread, kind=EventKind.UNSNOOZED, data=data)
            )
            if previous != Status.OPEN:
                event_publish(
                    Topic.STATUS_CHANGED,
                    thread=thread,
                    employee=None,
                    old=previous,
                    new=Status.OPEN,
                )
            moves.append((before, Counted.of(thread)))
        notify_snooze_ended(threads, events)
        counters_apply(counter_deltas_many(moves))
    return len(threads)
