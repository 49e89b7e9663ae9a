"""What an employee typed in a thread's reply or note box and has not sent: saved on the server.

The thread page saves the boxes as one types (``desk.js``, a debounced POST to the thread's
draft URL) and the status buttons submit the reply box along (``form="reply-form"``), so a
draft survives a reload, a status action and a sign-out; it is shown again instead of the
default message until it is sent (``draft_clear``). Colleagues see "Draft by …" on the thread
page and a mark in the list (``drafts_by_others``, one query for a whole list page).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from comptoir.staff.models import Employee
from comptoir.threads.models import Draft, DraftKind

MAX_CHARS = 20_000  # the reply form's limit


@dataclass(frozen=True, slots=True)
class OthersDraft:
    """A colleague's unsent reply or note on a thread."""

    employee: Employee
    kind: str
    updated_at: datetime


def drafts_of_thread(
    *, employee: Employee, thread_id: int
) -> tuple[dict[str, str], list[OthersDraft]]:
    """The employee's drafts on the thread by kind (``reply``, ``note``), and the colleagues'
    (newest first), in one query: what the thread page shows."""
    mine: dict[str, str] = {}
    others: list[OthersDraft] = []
    rows = (
        Draft.objects.filter(thread_id=thread_id)
        .select_related("employee")
        .order_by("-updated_at", "id")
    )
    for row in rows:
        if row.employee_id == employee.pk:
            mine[row.kind] = row.text
        else:
            others.append(OthersDraft(row.employee, row.kind, row.updated_at))
    return mine, others


def draft_save(
    *, employee: Employee, thread_id: int, kind: DraftKind, text: str, default: str = ""
) -> None:
    """Keep ``text`` as the employee's draft; a blank text, or the default message unchanged,
    keeps nothing (and forgets an earlier draft)."""
    text = text.replace("\r\n", "\n")[:MAX_CHARS]
    if not text.strip() or text.strip() == default.replace("\r\n", "\n").strip():
        draft_clear(employee=employee, thread_id=thread_id, kind=kind)
        return
    rows = Draft.objects.filter(employee=employee, thread_id=thread_id, kind=kind)
    now = timezone.now()
    if rows.update(text=text, updated_at=now):
        return
    try:
        with transaction.atomic():  # two saves of the same box may race to the insert
            Draft.objects.create(
                employee=employee, thread_id=thread_id, kind=kind, text=text, updated_at=now
            )
    except IntegrityError:
        rows.update(text=text, updated_at=now)


def draft_clear(*, employee: Employee, thread_id: int, kind: DraftKind) -> None:
    Draft.objects.filter(employee=employee, thread_id=thread_id, kind=kind).delete()


def drafts_by_others(
    *, thread_ids: Iterable[int], employee: Employee
) -> dict[int, list[OthersDraft]]:
    """The colleagues' (not ``employee``'s) drafts on each of ``thread_ids``, in one query."""
    ids = list(thread_ids)
    if not ids:
        return {}
    rows = (
        Draft.objects.filter(thread_id__in=ids)
        .exclude(employee=employee)
        .select_related("employee")
        .order_by("thread_id", "-updated_at", "id")
        .only("thread_id", "kind", "updated_at", "employee")
    )
    found: dict[int, list[OthersDraft]] = {}
    for row in rows:
        found.setdefault(row.thread_id, []).append(
            OthersDraft(row.employee, row.kind, row.updated_at)
        )
    return found
