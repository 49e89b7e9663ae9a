"""Loading threads and their files for an employee: the one place that decides who sees what."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from comptoir.staff.models import Employee
from comptoir.threads.models import Attachment, SavedFilter, Thread


def threads_for_employee(employee: Employee) -> QuerySet[Thread]:
    """Every thread an employee may see (all of them, for now: one team, one shop)."""
    return Thread.objects.all()


def thread_get_for_employee(employee: Employee, pk: int) -> Thread:
    """The thread, with what its page shows of it, or 404 when the employee may not see it."""
    threads = threads_for_employee(employee).select_related(
        "contact", "customer", "order", "assignee"
    )
    return get_object_or_404(threads, pk=pk)


def attachment_get_for_employee(employee: Employee, pk: int) -> Attachment:
    try:
        return Attachment.objects.select_related("message").get(
            pk=pk, message__thread__in=threads_for_employee(employee)
        )
    except Attachment.DoesNotExist:
        raise Http404 from None


def saved_filter_get_for_employee(employee: Employee, pk: int) -> SavedFilter:
    """One of the employee's own saved filters, or 404 (another's is nobody else's business)."""
    return get_object_or_404(SavedFilter, pk=pk, employee=employee)
