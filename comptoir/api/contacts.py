"""/api/v1/contacts and /api/v1/employees: who customers write to, who answers (read only)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from comptoir.api.auth import READ
from comptoir.api.errors import not_found
from comptoir.api.pagination import BY_ID, ListQuery, Page, list_page
from comptoir.api.responses import errors_for
from comptoir.api.schemas import ContactOut, EmployeeOut
from comptoir.staff.models import Employee
from comptoir.threads.models import Contact

router = Router(tags=["contacts and employees"])


@router.get("/contacts", response={200: Page[ContactOut], **errors_for(READ)}, auth=READ)
def contacts_list(request: HttpRequest, query: Query[ListQuery]) -> dict[str, object]:
    """The contacts (departments) customers can write to, by id."""
    return list_page(Contact.objects.all(), keyset=BY_ID, query=query)


@router.get(
    "/contacts/{contact_id}", response={200: ContactOut, **errors_for(READ, 404)}, auth=READ
)
def contact_get(request: HttpRequest, contact_id: int) -> Contact:
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise not_found()
    return contact


@router.get("/employees", response={200: Page[EmployeeOut], **errors_for(READ)}, auth=READ)
def employees_list(request: HttpRequest, query: Query[ListQuery]) -> dict[str, object]:
    """The shop's team, by id (``employee_id`` of messages, ``assignee_id`` of threads)."""
    return list_page(Employee.objects.all(), keyset=BY_ID, query=query)
