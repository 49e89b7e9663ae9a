"""The "Employees" pages (administrators only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.lib.http import post_data
from comptoir.staff import accounts, services, throttle
from comptoir.staff.access import administrator_required, signed_in_employee
from comptoir.staff.employee_forms import EmployeeAddForm, EmployeeEditForm
from comptoir.staff.forms import SignatureForm
from comptoir.staff.models import Employee, LoginThrottle


@administrator_required
def employee_list(request: HttpRequest) -> HttpResponse:
    employees = Employee.objects.order_by("last_name", "first_name", "id")
    context = {
        "employees": employees,
        "locks": throttle.login_locks_list(),
        "limits": {
            "account": throttle.LOGIN_FAILURE_LIMIT,
            "address": throttle.LOGIN_ADDRESS_FAILURE_LIMIT,
            "minutes": throttle.LOGIN_LOCK_SECONDS // 60,
        },
    }
    return render(request, "employees/list.html", context)


@administrator_required
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def employee_add(request: HttpRequest) -> HttpResponse:
    form = EmployeeAddForm(post_data(request))
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            generated = "" if data["password"] else services.password_generate()
            try:
                employee = services.employee_create(
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    language=data["language"],
                    role=form.role_value,
                    password=data["password"] or generated,
                )
            except services.EmployeeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Successful creation."))
                if not generated:
                    return redirect("employees:list")
                # Shown in this response only: the password is never stored in clear anywhere.
                return render(
                    request,
                    "employees/created.html",
                    {"employee": employee, "password": generated},
                )
        return render(request, "employees/form.html", {"form": form}, status=400)
    return render(request, "employees/form.html", {"form": form})


@administrator_required
@require_http_methods(["GET", "POST"])
def employee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    employee = get_object_or_404(Employee, pk=pk)
    form = EmployeeEditForm(post_data(request), employee=employee)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.employee_update(
                    actor=signed_in_employee(request),
                    employee=employee,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    language=data["language"],
                    role=form.role_value,
                )
            except services.EmployeeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Successful update."))
                return redirect("employees:list")
        status = 400
    else:
        status = 200
    return render(
        request, "employees/form.html", {"form": form, "employee": employee}, status=status
    )


@administrator_required
@require_POST
def employee_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    employee = get_object_or_404(Employee, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.employee_set_active(
            actor=signed_in_employee(request), employee=employee, active=active
        )
    except services.EmployeeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Successful update."))
    return redirect("employees:list")


@administrator_required
@require_POST
def employee_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator forces a reset: the employee gets a link to choose a new password."""
    employee = get_object_or_404(Employee, pk=pk)
    try:
        accounts.employee_password_reset_force(actor=signed_in_employee(request), employee=employee)
    except accounts.AccountError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(name)s's password is reset: a link to choose a new one was sent to %(email)s.")
            % {"name": employee.full_name, "email": employee.email},
        )
    return redirect("employees:edit", pk=employee.pk)


@administrator_required
@require_POST
def login_lock_lift(request: HttpRequest, pk: int) -> HttpResponse:
    throttle.login_lock_lift(lock=get_object_or_404(LoginThrottle, pk=pk))
    messages.success(request, _("The lock is lifted: signing in from that address works again."))
    return redirect("employees:list")


@administrator_required
@require_http_methods(["GET", "POST"])
def employee_signature(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator writes or corrects an employee's signature (as on their own page)."""
    employee = get_object_or_404(Employee, pk=pk)
    form = SignatureForm(post_data(request), employee=employee)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.employee_signature_set(employee=employee, signature=form.signature_values())
            messages.success(request, _("Successful update."))
            return redirect("employees:edit", pk=employee.pk)
        status = 400
    context = {"form": form, "employee": employee, "own": employee.pk == request.user.pk}
    return render(request, "staff/signature.html", context, status=status)
