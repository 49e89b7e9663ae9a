"""Telling employees what happened to their threads: ``notification_*`` / ``notifications_*``.

The thread services call ``notifications_add`` inside their own transaction (through
``threads.notify``), so a change that rolls back tells nobody; the worker e-mails what is due
after commit (``threads.notification_emails``). Nobody is told of their own action, an inactive
employee is told nothing, and each notification is written once (its ``key``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.notifications.models import (
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from comptoir.staff.models import Employee

UNREAD_SHOWN_UP_TO = 99
# The hour (in the shop's time zone) the daily digest leaves.
DAILY_DIGEST_HOUR = 8


@dataclass(frozen=True)
class Happening:
    """Something ``employee_id`` may be told of. ``key`` names what happened, once (a message's
    id, an event's id): with the kind and the employee it makes the notification's key."""

    kind: NotificationKind
    employee_id: int
    thread_id: int
    key: str
    actor_id: int | None = None
    message_id: int | None = None
    text: str = ""


def email_due(delivery: str, at: datetime) -> datetime | None:
    """When a notification written ``at`` is e-mailed: at once, at the next full hour, at the
    next ``DAILY_DIGEST_HOUR`` o'clock in the shop's time zone, or never."""
    if delivery == Delivery.NOW:
        return at
    if delivery == Delivery.HOURLY:
        return at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if delivery == Delivery.DAILY:
        local = timezone.localtime(at)
        day = local.date() if local.hour < DAILY_DIGEST_HOUR else local.date() + timedelta(days=1)
        moment = datetime.combine(day, time(DAILY_DIGEST_HOUR))
        return timezone.make_aware(moment, timezone.get_current_timezone())
    return None


def notifications_add(
    *, happenings: Sequence[Happening], now: datetime | None = None
) -> list[Notification]:
    """Write the notifications of ``happenings`` as each employee chose (``never``: none).

    Call inside the transaction of the change. Costs no query when nobody is to be told (a
    customer's message in a thread nobody holds), else two and one INSERT.
    """
    wanted = [h for h in happenings if h.employee_id != h.actor_id]
    if not wanted:
        return []
    now = now or timezone.now()
    ids = {h.employee_id for h in wanted}
    active = set(Employee.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    chosen = {p.employee_id: p for p in NotificationPreference.objects.filter(employee_id__in=ids)}
    rows = []
    for happening in wanted:
        if happening.employee_id not in active:
            continue
        preference = chosen.get(happening.employee_id) or NotificationPreference()
        delivery = preference.delivery_of(happening.kind)
        if delivery == Delivery.NEVER:
            continue
        # A forward is itself an e-mail to the colleague: the desk is told, no second e-mail.
        due = None if happening.kind == NotificationKind.FORWARDED else email_due(delivery, now)
        rows.append(
            Notification(
                employee_id=happening.employee_id,
                kind=happening.kind,
                thread_id=happening.thread_id,
                message_id=happening.message_id,
                actor_id=happening.actor_id,
                excerpt=" ".join(happening.text.split())[:200],
                key=f"{happening.kind}:{happening.key}:{happening.employee_id}"[:96],
                delivery=delivery,
                created_at=now,
                email_due_at=due,
            )
        )
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def notification_title(notification: Notification) -> str:
    """What happened, in a sentence of the active language."""
    actor = notification.actor.full_name if notification.actor else _("Someone")
    values = {"name": actor, "id": notification.thread_id}
    if notification.kind == NotificationKind.CUSTOMER_MESSAGE:
        return _("New customer message in thread #%(id)s") % values
    if notification.kind == NotificationKind.ASSIGNED:
        return _("%(name)s assigned thread #%(id)s to you") % values
    if notification.kind == NotificationKind.FORWARDED:
        return _("%(name)s forwarded thread #%(id)s to you") % values
    if notification.kind == NotificationKind.MENTIONED:
        return _("%(name)s mentioned you in thread #%(id)s") % values
    return _("Thread #%(id)s is back from snooze") % values


def notifications_unread_count(*, employee: Employee) -> int:
    """How many unread notifications the bell shows, counted up to ``UNREAD_SHOWN_UP_TO`` + 1
    (one bounded query, whatever the backlog)."""
    unread = Notification.objects.filter(employee=employee, read_at__isnull=True)
    return unread.values("pk")[: UNREAD_SHOWN_UP_TO + 1].count()


def notifications_recent(
    *, employee: Employee, before: int | None = None, limit: int = 50
) -> list[Notification]:
    """The employee's notifications, newest first, ``limit`` at a time (keyset on the id)."""
    rows = Notification.objects.filter(employee=employee)
    if before is not None:
        rows = rows.filter(pk__lt=before)
    return list(rows.select_related("thread", "actor").order_by("-pk")[:limit])


def notifications_newest(*, employee: Employee, after: int) -> list[Notification]:
    """The unread notifications newer than ``after`` (at most five), for the browser's own
    notifications."""
    rows = Notification.objects.filter(employee=employee, read_at__isnull=True, pk__gt=after)
    return list(rows.select_related("actor").order_by("-pk")[:5])


def notifications_mark_read(
    *, employee: Employee, ids: Sequence[int] | None = None, thread_id: int | None = None
) -> int:
    """Mark read the employee's unread notifications: those of ``ids``, of one thread, or all."""
    unread = Notification.objects.filter(employee=employee, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids)[:500])
    if thread_id is not None:
        unread = unread.filter(thread_id=thread_id)
    return unread.update(read_at=timezone.now())


def notification_preferences_get(*, employee: Employee) -> NotificationPreference:
    """The employee's choices (unsaved defaults when they never chose)."""
    found = NotificationPreference.objects.filter(employee=employee).first()
    return found or NotificationPreference(employee=employee)


PREFERENCE_FIELDS = ("customer_message", "assigned", "mentioned", "snooze_ended")


@transaction.atomic
def notification_preferences_set(
    *, employee: Employee, values: Mapping[str, str]
) -> NotificationPreference:
    """Save the employee's choice for each kind (values checked by the form)."""
    defaults = {f: values[f] for f in PREFERENCE_FIELDS if values.get(f) in Delivery.values}
    preference, _created = NotificationPreference.objects.update_or_create(
        employee=employee, defaults=defaults
    )
    return preference
