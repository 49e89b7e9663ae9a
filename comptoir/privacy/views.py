"""Exports, erasure and retention pages: access-checked fetch, one service call, respond."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.lib.http import post_data
from comptoir.orders.access import customer_get_for_employee
from comptoir.privacy import services
from comptoir.privacy.access import export_get_for_employee
from comptoir.privacy.forms import AddressForm, EraseForm, RetentionForm
from comptoir.privacy.models import ErasureRecord, ExportStatus, RetentionPolicy, Via
from comptoir.staff.access import administrator_required, employee_required, signed_in_employee

RECENT_ERASURES = 20


@employee_required
@require_POST
def customer_export(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    customer = customer_get_for_employee(employee, pk)
    export = services.export_request(employee=employee, customer=customer)
    return redirect("privacy:export", export.pk)


@employee_required
@require_POST
def address_export(request: HttpRequest) -> HttpResponse:
    employee = signed_in_employee(request)
    form = AddressForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address."))
        return redirect("privacy:settings" if employee.is_administrator else "desk:home")
    export = services.export_request(employee=employee, email=form.cleaned_data["email"])
    return redirect("privacy:export", export.pk)


@employee_required
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    export = export_get_for_employee(signed_in_employee(request), pk)
    working = export.status in {ExportStatus.QUEUED, ExportStatus.BUILDING}
    return render(request, "privacy/export.html", {"export": export, "working": working})


@employee_required
def export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    export = export_get_for_employee(signed_in_employee(request), pk)
    handle = services.export_take(export=export)
    if handle is None:
        context = {"export": export, "working": False, "gone": True}
        return render(request, "privacy/export.html", context, status=410)
    response = FileResponse(handle, as_attachment=True, filename=f"personal-data-{export.pk}.zip")
    response["Content-Type"] = "application/zip"
    return response


def _erase_page(
    request: HttpRequest, person: services.Person, title: str, back: str
) -> HttpResponse:
    form = EraseForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        record = services.customer_erase(
            person=person, employee=signed_in_employee(request), via=Via.DESK
        )
        messages.success(
            request,
            _("The personal data was erased (record %(id)s).") % {"id": record.pk},
        )
        return redirect("privacy:settings")
    context = {
        "form": form,
        "title": title,
        "holdings": services.person_holdings(person),
        "back": back,
    }
    return render(request, "privacy/erase.html", context, status=400 if form.errors else 200)


@administrator_required
@require_http_methods(["GET", "POST"])
def customer_erase(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_employee(signed_in_employee(request), pk)
    person = services.Person.of_customer(customer)
    back = reverse("orders:customer", args=[customer.pk])
    return _erase_page(request, person, customer.full_name or customer.email, back)


@administrator_required
@require_http_methods(["GET", "POST"])
def address_erase(request: HttpRequest) -> HttpResponse:
    address = AddressForm(request.GET)
    if not address.is_valid():
        messages.error(request, _("Enter a valid e-mail address."))
        return redirect("privacy:settings")
    person = services.Person.of_address(address.cleaned_data["email"])
    return _erase_page(request, person, address.cleaned_data["email"], "")


@administrator_required
@require_http_methods(["GET", "POST"])
def privacy_settings(request: HttpRequest) -> HttpResponse:
    policy = RetentionPolicy.load()
    form = RetentionForm(post_data(request), instance=policy)
    if request.method == "POST" and form.is_valid():
        services.retention_policy_set(values=form.cleaned_data)
        messages.success(request, _("Successful update."))
        return redirect("privacy:settings")
    context = {
        "form": form,
        "preview": services.retention_preview(policy=policy),
        "policy": policy,
        "erasures": list(ErasureRecord.objects.select_related("employee")[:RECENT_ERASURES]),
        "address_form": AddressForm(),
    }
    return render(request, "privacy/settings.html", context, status=400 if form.errors else 200)
