"""The personal-data operations of the API (a shop's own GDPR tools call them):

- ``GET /customers/{external_id}/export`` and ``GET /personal-data/export?email=``: the ZIP at once
  when small; when large, 202 with the export's id, built by the worker, then
  ``GET /exports/{id}`` (once);
- ``DELETE /customers/{external_id}/personal-data`` and ``DELETE /personal-data?email=``.

Exports need a key given "customers:export"; erasure a read and write key given
"customers:erase" acting as an administrator (``api.auth``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from comptoir.api.auth import ERASE, EXPORT, acting_employee
from comptoir.api.errors import ApiError, invalid, not_found
from comptoir.api.responses import errors_for
from comptoir.lib.validation import FieldError
from comptoir.privacy import services
from comptoir.privacy.models import ExportRequest, ExportStatus, Via
from comptoir.shop.models import Customer

router = Router(tags=["personal data"])
ZIP = {200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}}


class ExportQueuedOut(Schema):
    export_id: int
    status: str
    progress: int


class ErasureOut(Schema):
    erasure_id: int
    counts: dict[str, int]


def _customer(external_id: str) -> Customer:
    customer = Customer.objects.filter(external_id=external_id).first()
    if customer is None:
        raise not_found()
    return customer


def _address(email: str) -> str:
    try:
        validate_email(email)
    except ValidationError:
        message = _("Enter a valid e-mail address.")
        raise invalid([FieldError("email", message, "invalid")]) from None
    return email


def _zip(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _export(request: HttpRequest, *, customer: Customer | None, email: str) -> Any:
    employee = acting_employee(request)
    person = (
        services.Person.of_customer(customer) if customer else services.Person.of_address(email)
    )
    if not services.export_is_large(person):
        return _zip(services.customer_export_bytes(person=person), "personal-data.zip")
    export = ExportRequest.objects.create(requester=employee, customer=customer, email=email)
    return 202, ExportQueuedOut(export_id=export.pk, status=export.status, progress=0)


EXPORT_RESPONSES: dict[int, Any] = {202: ExportQueuedOut, **errors_for(EXPORT, 403, 404)}


@router.get(
    "/customers/{external_id}/export",
    response=EXPORT_RESPONSES,
    auth=EXPORT,
    openapi_extra={"responses": ZIP},
)
def customer_export(request: HttpRequest, external_id: str) -> Any:
    """Everything comptoir holds about the customer, as one ZIP (``data.json``,
    ``summary.html``, ``attachments/``, ``mail/``)."""
    return _export(request, customer=_customer(external_id), email="")


@router.get(
    "/personal-data/export",
    response=EXPORT_RESPONSES,
    auth=EXPORT,
    openapi_extra={"responses": ZIP},
)
def address_export(request: HttpRequest, email: Query[str]) -> Any:
    """The same for an address (a guest): the customers with it and the threads written from it."""
    return _export(request, customer=None, email=_address(email))


@router.get(
    "/exports/{export_id}",
    response={202: ExportQueuedOut, **errors_for(EXPORT, 403, 404, 410)},
    auth=EXPORT,
    openapi_extra={"responses": ZIP},
)
def export_download(request: HttpRequest, export_id: int) -> Any:
    """A large export: 202 with its progress while it is built, then the ZIP, once."""
    export = ExportRequest.objects.filter(pk=export_id, requester=acting_employee(request)).first()
    if export is None:
        raise not_found()
    if export.status in {ExportStatus.QUEUED, ExportStatus.BUILDING}:
        return 202, ExportQueuedOut(
            export_id=export.pk, status=export.status, progress=export.percent
        )
    handle = services.export_take(export=export)
    if handle is None:
        raise ApiError(410, "gone", _("This export was already downloaded."))
    response: HttpResponseBase = FileResponse(
        handle, as_attachment=True, filename="personal-data.zip", content_type="application/zip"
    )
    return response


def _erase(request: HttpRequest, person: services.Person) -> ErasureOut:
    record = services.customer_erase(person=person, employee=acting_employee(request), via=Via.API)
    return ErasureOut(erasure_id=record.pk, counts=record.counts)


@router.delete(
    "/customers/{external_id}/personal-data",
    response={200: ErasureOut, **errors_for(ERASE, 403, 404)},
    auth=ERASE,
)
def customer_erase(request: HttpRequest, external_id: str) -> ErasureOut:
    """Erase everything comptoir holds about the customer (when they delete their account)."""
    return _erase(request, services.Person.of_customer(_customer(external_id)))


@router.delete(
    "/personal-data",
    response={200: ErasureOut, **errors_for(ERASE, 403)},
    auth=ERASE,
)
def address_erase(request: HttpRequest, email: Query[str]) -> ErasureOut:
    """Erase what comptoir holds about an address (a guest)."""
    return _erase(request, services.Person.of_address(_address(email)))
