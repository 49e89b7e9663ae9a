"""Loading threads and their files for an employee: the one place that decides who sees what."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from comptoir.staff.models import Employee
from comptoir.threads.models import Attachment, Thread


def threads_for_employee(employee: Employee) -> QuerySet[Thread]:
    """Every thread an employee may see (all of them, for now: one team, one shop)."""
    return Thread.objects.all()


def thread_get_for_employee(employee: Employee, pk: int) -> Thread:
    try:
        return (
            threads_for_employee(employee)
            .select_related("contact", "customer", "order", "assignee")
            .get(pk=pk)
        )
    except Thread.DoesNotExist:
        raise Http404 from None


def attachment_get_for_employee(employee: Employee, pk: int) -> Attachment:
    try:
        return Attachment.objects.select_related("message").get(
            pk=pk, message__thread__in=threads_for_employee(employee)
        )
    except Attachment.DoesNotExist:
        raise Http404 from None
