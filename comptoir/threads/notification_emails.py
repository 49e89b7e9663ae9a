"""Employees' notifications e-mailed: the worker's step that turns the due ones into outbox rows.

A notification chosen "immediately" is due when it is written, one e-mail each; the digests'
are due at the next hour or the next morning (``notifications.services.email_due``), all of
one employee's due ones in one e-mail. Each is e-mailed once: the due rows are locked (skipped
by another worker), e-mailed and marked in one transaction. The e-mail is in the employee's
language and comes from the shop's address (``is_internal``: never imported as a thread).
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from comptoir.notifications.models import Delivery, Notification
from comptoir.notifications.services import notification_title
from comptoir.threads.emails import email_queue
from comptoir.threads.models import EmailKind


def _desk_url(name: str, *args: object) -> str:
    return f"{settings.COMPTOIR_SITE_URL}{reverse(name, args=args)}"


def notification_emails_queue(*, now: datetime | None = None, limit: int = 200) -> int:
    """Queue the e-mails of the notifications due at ``now``; returns how many were handled."""
    now = now or timezone.now()
    with transaction.atomic():
        due = Notification.objects.filter(email_due_at__lte=now).order_by("email_due_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        else:
            due = due.select_for_update()
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return 0
        rows = (
            Notification.objects.filter(pk__in=ids)
            .select_related("employee", "thread", "actor")
            .order_by("employee_id", "pk")
        )
        for _employee_id, group in groupby(rows, key=lambda n: n.employee_id):
            notifications = list(group)
            employee = notifications[0].employee
            if not employee.is_active:
                continue
            digest = [n for n in notifications if n.delivery != Delivery.NOW]
            for notification in notifications:
                if notification.delivery == Delivery.NOW:
                    _queue(employee.language, [notification], digest=False)
            if digest:
                _queue(employee.language, digest, digest=True)
        Notification.objects.filter(pk__in=ids).update(email_due_at=None, emailed_at=now)
    return len(ids)


def _queue(language: str, notifications: list[Notification], *, digest: bool) -> None:
    employee = notifications[0].employee
    with translation.override(language):
        items = [
            {
                "title": notification_title(n),
                "excerpt": n.excerpt,
                "url": _desk_url("desk:thread", n.thread_id),
            }
            for n in notifications
        ]
    email_queue(
        kind=EmailKind.ALERT,
        template="threads/email/notification.txt",
        context={
            "employee": employee,
            "items": items,
            "digest": digest,
            "preferences_url": _desk_url("notifications:preferences"),
        },
        language=language,
        to_email=employee.email,
        to_name=employee.full_name,
        from_email=settings.DEFAULT_FROM_EMAIL,
        from_name=settings.COMPTOIR_SHOP_NAME,
        thread=None if digest else notifications[0].thread,
        is_internal=True,
        threading=False,
    )
