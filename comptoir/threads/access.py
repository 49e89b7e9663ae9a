"""Loading threads and their files for an employee: the one place that decides who sees what."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from comptoir.lib.prepared import PreparedModels
from comptoir.staff.models import Employee
from comptoir.threads.models import Attachment, Thread


def threads_for_employee(employee: Employee) -> QuerySet[Thread]:
    """Every thread an employee may see (all of them, for now: one team, one shop).

    ``thread_get_for_employee`` reads by key through a query compiled once, with the same rule
    (none): a rule that comes to depend on the employee must become one of its parameters
    (a test compares the two)."""
    return Thread.objects.all()


# The thread page and every action on a thread read it by key: compiled once (lib.prepared).
_THREAD = PreparedModels(
    Thread,
    lambda pk: Thread.objects.select_related("contact", "customer", "order", "assignee").filter(
        pk=pk
    ),
    "pk",
)


def thread_get_for_employee(employee: Employee, pk: int) -> Thread:
    thread = _THREAD.first(pk=pk)
    if thread is None:
        raise Http404
    return thread


def attachment_get_for_employee(employee: Employee, pk: int) -> Attachment:
    try:
        return Attachment.objects.select_related("message").get(
            pk=pk, message__thread__in=threads_for_employee(employee)
        )
    except Attachment.DoesNotExist:
        raise Http404 from None
