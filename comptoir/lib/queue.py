"""Rows as a work queue: claiming due rows under a lease, and the retry back-off.

Used by the outbox (e-mails) and the webhook deliveries. Claiming is one short transaction that
marks the rows taken, and by whom (``claimed_by``, the worker's heartbeat name); on PostgreSQL
and MariaDB it skips rows another worker has locked, on SQLite the IMMEDIATE transaction
serialises claimers. A worker that dies mid-task leaves its rows marked: they are due again when
its heartbeat has been silent for a few seconds (the callers' ``held_by_silent``), or at the
latest when the lease ends (a claimer without a heartbeat, such as a one-off command).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import F, Q, QuerySet

ModelT = TypeVar("ModelT", bound=models.Model)

LEASE = timedelta(minutes=5)
# Delay before attempt n+1 (the last value repeats).
BACKOFF = [timedelta(seconds=s) for s in (30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600)]


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt (1 or more)."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def held_by_silent(silent: QuerySet[Any] | None) -> Q:
    """Rows claimed by one of the ``silent`` workers (a subquery of heartbeat names; None: no
    heartbeats known, nothing matches). A row claimed by nobody (``""``) never matches."""
    if silent is None:
        return Q(pk__in=[])
    return Q(claimed_by__in=silent) & ~Q(claimed_by="")


def rows_claim(
    due: QuerySet[ModelT], *, limit: int, mark: dict[str, Any], claimer: str = ""
) -> list[ModelT]:
    """Take up to ``limit`` rows of ``due`` (already ordered), set ``mark`` on them, record
    ``claimer`` in their ``claimed_by`` field and count one more attempt on their ``attempts``
    field.

    The attempt is counted here, before anything leaves: a worker killed after the other side
    took the e-mail or the request but before it recorded the outcome has still counted that
    attempt, so the row's count is never lower than the copies the other side received.
    """
    mark = {**mark, "claimed_by": claimer[:128]}
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
