"""The desk's running totals (see DeskCounter), and the one rule that says how a change moves them.

Every change to threads computes its counter changes with ``counter_deltas`` from what each
thread it touches looked like before and after (``Counted``), sums them, and writes the sum with
``counters_apply`` once, inside its own transaction: a change that rolls back takes its counts
back with it. ``thread_counters_count`` counts the same values from the rows, which is how the
tests check that no change makes them drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import BigIntegerField, Case, Count, F, Value, When

from comptoir.threads.models import Author, Contact, DeskCounter, Message, Status, Thread

THREADS = "threads"
UNREAD = "threads:unread"
CUSTOMER_MESSAGES = "messages:customer"
EMPLOYEE_MESSAGES = "messages:employee"


def status_counter(status: str) -> str:
    return f"threads:{status}"


def message_counter(author: str) -> str:
    return CUSTOMER_MESSAGES if author == Author.CUSTOMER else EMPLOYEE_MESSAGES


def assigned_counter(assignee_id: int | None) -> str:
    """The threads not closed yet of one employee (None: of nobody): the "Mine" and
    "Unassigned" views."""
    return f"assigned:{assignee_id}" if assignee_id is not None else "assigned:none"


def snoozed_counter(name: str) -> str:
    """Of the threads counted by ``name`` (a status or assigned counter), the snoozed ones: the
    list's views leave snoozed threads out, so their counts take these off."""
    return f"snoozed:{name}"


def unread_counter(contact_id: int | None) -> str:
    """The unread threads of one contact (its box on the customer service page)."""
    return f"unread:contact:{contact_id}" if contact_id is not None else "unread:contact:none"


@dataclass(frozen=True)
class Counted:
    """What the counters see of one thread."""

    status: str
    is_unread: bool
    contact_id: int | None
    assignee_id: int | None
    snoozed: bool = False

    @classmethod
    def of(cls, thread: Thread) -> Counted:
        return cls(
            thread.status,
            thread.is_unread,
            thread.contact_id,
            thread.assignee_id,
            thread.snoozed_until is not None,
        )


def _counts(counted: Counted | None) -> dict[str, int]:
    """The counters one thread adds to (None: a thread that does not exist adds to none)."""
    if counted is None:
        return {}
    names = {THREADS: 1, status_counter(counted.status): 1}
    if counted.is_unread:
        names[UNREAD] = 1
        names[unread_counter(counted.contact_id)] = 1
    if counted.status != Status.CLOSED:
        names[assigned_counter(counted.assignee_id)] = 1
    if counted.snoozed:
        for name in [status_counter(counted.status), assigned_counter(counted.assignee_id)]:
            if name in names:
                names[snoozed_counter(name)] = 1
    return names


def counter_deltas(
    before: Counted | None, after: Counted | None, *, messages: Mapping[str, int] | None = None
) -> dict[str, int]:
    """How the counters move when one thread goes from ``before`` to ``after`` (None: absent, so
    None → state is a new thread and state → None a deleted one) while ``messages`` are added to
    it, counted by author (negative: removed). Counters that do not move are left out."""
    deltas = _counts(after)
    for name, count in _counts(before).items():
        deltas[name] = deltas.get(name, 0) - count
    for author, count in (messages or {}).items():
        name = message_counter(author)
        deltas[name] = deltas.get(name, 0) + count
    return {name: delta for name, delta in deltas.items() if delta}


def counter_deltas_many(changes: Iterable[tuple[Counted | None, Counted | None]]) -> dict[str, int]:
    """``counter_deltas`` of many threads' (before, after), summed: equal changes (a batch's new
    threads, a contact's threads moved) are computed once and counted."""
    same: dict[tuple[Counted | None, Counted | None], int] = {}
    for change in changes:
        same[change] = same.get(change, 0) + 1
    return deltas_sum(
        *(
            {name: delta * times for name, delta in counter_deltas(*change).items()}
            for change, times in same.items()
        )
    )


def deltas_sum(*many: Mapping[str, int]) -> dict[str, int]:
    """Several changes' deltas as one (counters that cancel out are left out)."""
    total: dict[str, int] = {}
    for deltas in many:
        for name, delta in deltas.items():
            total[name] = total.get(name, 0) + delta
    return {name: delta for name, delta in total.items() if delta}


def _add(deltas: Mapping[str, int]) -> int:
    """One UPDATE for every counter in ``deltas``; returns how many rows it found.

    The counters are grouped by how much they move (nearly always +1 or -1): the statement's
    cost is in building each WHEN, and a new thread's five counters all move by 1, so need none.
    """
    by_delta: dict[int, list[str]] = {}
    for name, delta in deltas.items():
        by_delta.setdefault(delta, []).append(name)
    rows = DeskCounter.objects.filter(name__in=list(deltas))
    if connection.features.has_select_for_update and connection.in_atomic_block:
        # Locked by name first, so every writer takes them in one order. An UPDATE alone locks
        # rows where its scan meets them; on PostgreSQL that is where each row's latest version
        # lies, which every update moves, and two writers could deadlock on the same counters.
        locked = rows.select_for_update().order_by("name").values_list("pk", flat=True)
        rows = DeskCounter.objects.filter(pk__in=list(locked))
    if len(by_delta) == 1:
        ((delta, _names),) = by_delta.items()
        return rows.update(value=F("value") + delta)
    moves = [When(name__in=names, then=Value(delta)) for delta, names in by_delta.items()]
    return rows.update(value=F("value") + Case(*moves, output_field=BigIntegerField()))


def counters_apply(deltas: Mapping[str, int]) -> None:
    """Add ``deltas`` (``counter_deltas``, summed) to the counters, in one statement. Call it
    inside the transaction of the change it counts."""
    changes = {name: delta for name, delta in deltas.items() if delta}
    if not changes or _add(changes) == len(changes):
        return
    # A counter that has no row yet (a new shop, a new contact): create the missing rows, then
    # add to those.
    existing = set(DeskCounter.objects.filter(name__in=changes).values_list("name", flat=True))
    missing = {name: delta for name, delta in changes.items() if name not in existing}
    for name in missing:
        DeskCounter.objects.get_or_create(name=name)
    _add(missing)


def counters_read() -> dict[str, int]:
    return dict(DeskCounter.objects.values_list("name", "value"))


def thread_counters_count() -> dict[str, int]:
    """Every counter counted from the rows, nothing written (full scans: for checks and repair,
    not for pages). Counters at zero are included."""
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
    values.update(assigned_by_employee())
    values.update(snoozed_by_status_and_employee())
    return values


def thread_counters_recount() -> dict[str, int]:
    """Set every counter to its value counted from the rows (after a bulk import, or a repair)."""
    values = thread_counters_count()
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


def snoozed_by_status_and_employee() -> dict[str, int]:
    """The snoozed threads of each status, and the snoozed threads not closed of each employee
    and of nobody, counted from the rows (zeros included for every status and for nobody)."""
    snoozed = Thread.objects.filter(snoozed_until__isnull=False)
    values = {snoozed_counter(status_counter(status)): 0 for status in Status.values}
    values[snoozed_counter(assigned_counter(None))] = 0
    by_status = snoozed.values_list("status").annotate(n=Count("id")).order_by()
    values.update({snoozed_counter(status_counter(status)): n for status, n in by_status})
    by_assignee = (
        snoozed.exclude(status=Status.CLOSED)
        .values_list("assignee")
        .annotate(n=Count("id"))
        .order_by()
    )
    values.update({snoozed_counter(assigned_counter(pk)): n for pk, n in by_assignee})
    return values


def assigned_by_employee() -> dict[str, int]:
    """The threads not closed of each employee and of nobody, counted from the rows (every
    employee who has some, and nobody, zeros included)."""
    rows = (
        Thread.objects.exclude(status=Status.CLOSED)
        .values_list("assignee")
        .annotate(n=Count("id"))
        .order_by()
    )
    values = {assigned_counter(None): 0}
    values.update({assigned_counter(assignee_id): n for assignee_id, n in rows})
    return values
