"""Rows as a work queue: claiming due rows under a lease, and the retry back-off.

Used by the outbox (e-mails) and the webhook deliveries. Claiming is one short transaction that
marks the rows taken; on PostgreSQL and MariaDB it skips rows another worker has locked, on
SQLite the IMMEDIATE transaction serialises claimers. A worker that dies mid-task leaves its rows
marked until the lease ends; then they are due again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import F, QuerySet

ModelT = TypeVar("ModelT", bound=models.Model)

LEASE = timedelta(minutes=5)
# Delay before attempt n+1 (the last value repeats).
BACKOFF = [timedelta(seconds=s) for s in (30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600)]


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt (1 or more)."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def rows_claim(due: QuerySet[ModelT], *, limit: int, mark: dict[str, Any]) -> list[ModelT]:
    """Take up to ``limit`` rows of ``due`` (already ordered), set ``mark`` on them and count
    one more attempt on their ``attempts`` field.

    The attempt is counted here, before anything leaves: a worker killed after the other side
    took the e-mail or the request but before it recorded the outcome has still counted that
    attempt, so the row's count is never lower than the copies the other side received.
    """
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due[:limit])
        if rows:
            due.model._default_manager.filter(pk__in=[row.pk for row in rows]).update(
                **mark, attempts=F("attempts") + 1
            )
    for row in rows:
        for field, value in mark.items():
            setattr(row, field, value)
        row.attempts += 1  # type: ignore[attr-defined]
    return rows
