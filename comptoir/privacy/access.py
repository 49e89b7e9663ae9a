"""Loading an export for the employee who asked for it (nobody else sees it: 404)."""

from __future__ import annotations

from django.http import Http404

from comptoir.privacy.models import ExportRequest
from comptoir.staff.models import Employee


def export_get_for_employee(employee: Employee, pk: int) -> ExportRequest:
    try:
        return ExportRequest.objects.get(pk=pk, requester=employee)
    except ExportRequest.DoesNotExist:
        raise Http404 from None
