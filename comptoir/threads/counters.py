"""The desk's running totals (see DeskCounter)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import connection
from django.db.models import Count

from comptoir.threads.models import Author, Contact, DeskCounter, Message, Status, Thread

THREADS = "threads"
UNREAD = "threads:unread"
CUSTOMER_MESSAGES = "messages:customer"
EMPLOYEE_MESSAGES = "messages:employee"


def status_counter(status: str) -> str:
    return f"threads:{status}"


def message_counter(author: str) -> str:
    return CUSTOMER_MESSAGES if author == Author.CUSTOMER else EMPLOYEE_MESSAGES


def unread_counter(contact_id: int | None) -> str:
    """The unread threads of one contact (its box on the customer service page)."""
    return f"unread:contact:{contact_id}" if contact_id is not None else "unread:contact:none"


def unread_add(thread: Thread, delta: int) -> None:
    """A thread became unread (1) or read (-1), or came or went while unread: the total and its
    contact's count."""
    counter_add(UNREAD, delta)
    counter_add(unread_counter(thread.contact_id), delta)


def _increment(name: str, delta: int) -> int:
    # One fixed statement: through the ORM the same UPDATE cost about 0.2 ms of query building,
    # and every new thread moves three or four counters.
    table = connection.ops.quote_name(DeskCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET value = value + %s WHERE name = %s", [delta, name])  # noqa: S608
        return int(cursor.rowcount)


def _increment_many(deltas: Mapping[str, int]) -> int:
    """One statement for several counters (a new thread moves four)."""
    if len(deltas) == 1:
        ((name, delta),) = deltas.items()
        return _increment(name, delta)
    table = connection.ops.quote_name(DeskCounter._meta.db_table)
    cases = " ".join("WHEN %s THEN %s" for _name in deltas)
    names = ", ".join("%s" for _name in deltas)
    params: list[str | int] = [item for pair in deltas.items() for item in pair]
    sql = f"UPDATE {table} SET value = value + CASE name {cases} END WHERE name IN ({names})"  # noqa: S608 — only placeholders are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *deltas])
        return int(cursor.rowcount)


def _write(deltas: Mapping[str, int]) -> None:
    changes = {name: delta for name, delta in deltas.items() if delta}
    if not changes or _increment_many(changes) == len(changes):
        return
    # A counter that has no row yet (a new shop): create the missing rows, then count again.
    existing = set(DeskCounter.objects.filter(name__in=changes).values_list("name", flat=True))
    for name, delta in changes.items():
        if name not in existing:
            DeskCounter.objects.get_or_create(name=name)
            _increment(name, delta)


class _Frames(threading.local):
    def __init__(self) -> None:
        self.stack: list[dict[str, int]] = []


_frames = _Frames()


def counter_add(name: str, delta: int) -> None:
    """Add ``delta`` to a counter; call inside the transaction of the change it counts.

    Inside a ``counters_deferred`` function the change is kept and written with the function's
    other changes when it returns (still inside its transaction).
    """
    if delta == 0:
        return
    if _frames.stack:
        frame = _frames.stack[-1]
        frame[name] = frame.get(name, 0) + delta
    else:
        _write({name: delta})


P = ParamSpec("P")
R = TypeVar("R")


def counters_deferred(func: Callable[P, R]) -> Callable[P, R]:
    """Write the counter changes ``func`` makes in one statement when it returns. Use inside
    its transaction (below ``transaction.atomic``), so that whatever rolls the transaction or
    a savepoint back takes the counts back too; a nested call writes its own changes when it
    returns, and an exception drops them with the rest."""

    @wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        _frames.stack.append({})
        try:
            result = func(*args, **kwargs)
        except BaseException:
            _frames.stack.pop()
            raise
        _write(_frames.stack.pop())
        return result

    return wrapped


def counters_read() -> dict[str, int]:
    return dict(DeskCounter.objects.values_list("name", "value"))


def thread_counters_recount() -> dict[str, int]:
    """Recompute every counter from the rows (full scans: for repair, not for pages)."""
    values = {
        THREADS: Thread.objects.count(),
        UNREAD: Thread.objects.filter(is_unread=True).count(),
    }
    by_status = dict(Thread.objects.values_list("status").annotate(n=Count("id")).order_by())
    for status in Status.values:
        values[status_counter(status)] = by_status.get(status, 0)
    by_author = dict(Message.objects.values_list("author").annotate(n=Count("id")).order_by())
    values[CUSTOMER_MESSAGES] = by_author.get(Author.CUSTOMER, 0)
    values[EMPLOYEE_MESSAGES] = by_author.get(Author.EMPLOYEE, 0)
    values.update(unread_by_contact())
    for name, value in values.items():
        DeskCounter.objects.update_or_create(name=name, defaults={"value": value})
    return values


def unread_by_contact() -> dict[str, int]:
    """Each contact's unread threads counted from the rows (every contact, zeros included)."""
    unread = (
        Thread.objects.filter(is_unread=True).values_list("contact").annotate(n=Count("id"))
    ).order_by()
    values = {
        unread_counter(contact_id): 0 for contact_id in Contact.objects.values_list("pk", flat=True)
    }
    values[unread_counter(None)] = 0
    values.update({unread_counter(contact_id): n for contact_id, n in unread})
    return values
