"""Who else has a thread open, and who is typing in it: the desk's presence.

Three functions are the whole interface (a later store, Redis for one, can take the rows'
place behind them): ``presence_touch`` (this employee has the thread open, or is typing in
it), ``presence_for_thread`` and ``presence_for_threads`` (who else, one query for a whole
list page). The thread page's poll touches and reads every ``POLL_SECONDS``; a draft saved
as one types (``threads.drafts``) counts as typing. A mark older than its expiry means
nothing: it is ignored when read, and the worker deletes the rows (``presence_forget``).

With ``COMPTOIR_REDIS_URL`` set (issue 20), the marks live in Redis instead of the rows: two
hashes per thread, ``…:seen`` and ``…:typing`` (employee id → Unix time), which expire
``KEPT_FOR`` after the last touch; reading a list page's threads is one pipelined round trip and
one query for the employees' names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from comptoir.lib.redisconn import PREFIX, redis_client
from comptoir.staff.models import Employee
from comptoir.threads.models import ThreadPresence

POLL_SECONDS = 10
# Three missed polls and an employee is no longer "viewing"; a draft saved as one types comes
# every few seconds, so a pause longer than this is no longer "typing".
VIEWING_FOR = timedelta(seconds=3 * POLL_SECONDS + 5)
TYPING_FOR = timedelta(seconds=20)
KEPT_FOR = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Present:
    """A colleague on a thread: viewing it, and typing a reply or note when ``typing``."""

    employee: Employee
    typing: bool
    seen_at: datetime


def presence_touch(*, employee: Employee, thread_id: int, typing: bool | None = None) -> None:
    """``employee`` has the thread open now; ``typing`` True: they are typing in it, False:
    they stopped (what they typed was sent), None: as it was."""
    now = timezone.now()
    client = redis_client()
    if client is not None:
        _redis_touch(client, employee.pk, thread_id, typing, now)
        return
    values: dict[str, object] = {"seen_at": now}
    if typing is not None:
        values["typing_at"] = now if typing else None
    rows = ThreadPresence.objects.filter(employee=employee, thread_id=thread_id)
    if rows.update(**values):
        return
    try:
        with transaction.atomic():  # two tabs of the same employee may race to the insert
            ThreadPresence.objects.create(employee=employee, thread_id=thread_id, **values)
    except IntegrityError:
        rows.update(**values)


def presence_for_threads(
    *, thread_ids: Iterable[int], employee: Employee
) -> dict[int, list[Present]]:
    """The colleagues (not ``employee``) present on each of ``thread_ids``, in one query;
    threads nobody else has open are left out."""
    ids = list(thread_ids)
    if not ids:
        return {}
    now = timezone.now()
    client = redis_client()
    if client is not None:
        return _redis_read(client, ids, employee, now)
    rows = (
        ThreadPresence.objects.filter(thread_id__in=ids, seen_at__gte=now - VIEWING_FOR)
        .exclude(employee=employee)
        .filter(employee__is_active=True)
        .select_related("employee")
        .order_by("thread_id", "employee__first_name", "employee_id")
    )
    found: dict[int, list[Present]] = {}
    for row in rows:
        typing = row.typing_at is not None and row.typing_at >= now - TYPING_FOR
        found.setdefault(row.thread_id, []).append(Present(row.employee, typing, row.seen_at))
    return found


def _redis_keys(thread_id: int) -> tuple[str, str]:
    return f"{PREFIX}presence:{thread_id}:seen", f"{PREFIX}presence:{thread_id}:typing"


def _redis_touch(
    client: Any, employee_id: int, thread_id: int, typing: bool | None, now: datetime
) -> None:
    seen, typed = _redis_keys(thread_id)
    stamp = now.timestamp()
    keep = int(KEPT_FOR.total_seconds())
    with client.pipeline(transaction=True) as pipe:
        pipe.hset(seen, str(employee_id), stamp)
        pipe.expire(seen, keep)
        if typing:
            pipe.hset(typed, str(employee_id), stamp)
        elif typing is False:
            pipe.hdel(typed, str(employee_id))
        pipe.expire(typed, keep)
        pipe.execute()


def _redis_read(
    client: Any, ids: list[int], employee: Employee, now: datetime
) -> dict[int, list[Present]]:
    with client.pipeline(transaction=False) as pipe:
        for thread_id in ids:
            for key in _redis_keys(thread_id):
                pipe.hgetall(key)
        replies = pipe.execute()
    viewing = (now - VIEWING_FOR).timestamp()
    typing_since = (now - TYPING_FOR).timestamp()
    marks: dict[int, list[tuple[int, float, bool]]] = {}
    for index, thread_id in enumerate(ids):
        seen, typed = replies[2 * index], replies[2 * index + 1]
        for who, stamp in seen.items():
            if int(who) != employee.pk and float(stamp) >= viewing:
                typing = float(typed.get(who, 0)) >= typing_since
                marks.setdefault(thread_id, []).append((int(who), float(stamp), typing))
    if not marks:
        return {}
    people = Employee.objects.filter(
        pk__in={who for found in marks.values() for who, _at, _t in found}, is_active=True
    ).in_bulk()
    found: dict[int, list[Present]] = {}
    for thread_id in ids:
        here = [
            Present(people[who], typing, datetime.fromtimestamp(at, tz=UTC))
            for who, at, typing in marks.get(thread_id, [])
            if who in people
        ]
        if here:
            found[thread_id] = sorted(here, key=lambda p: (p.employee.first_name, p.employee.pk))
    return found


def presence_for_thread(*, thread_id: int, employee: Employee) -> list[Present]:
    """The colleagues (not ``employee``) who have the thread open now."""
    return presence_for_threads(thread_ids=[thread_id], employee=employee).get(thread_id, [])


def presence_forget(*, now: datetime | None = None) -> int:
    """Delete the marks nobody will read again (the worker's housekeeping)."""
    before = (now or timezone.now()) - KEPT_FOR
    deleted, _ = ThreadPresence.objects.filter(seen_at__lt=before).delete()
    return deleted
