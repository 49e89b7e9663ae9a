"""An employee's own account: their password, "forgot password" (Django's reset views),
two-factor login (django-otp, `two_factor.py`) and their signature."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.middleware import is_verified

from comptoir.lib.http import client_address, post_data
from comptoir.staff import accounts, services, two_factor
from comptoir.staff.access import employee_required, signed_in_employee
from comptoir.staff.forms import PasswordResetRequestForm, SignatureForm, TwoFactorCodeForm
from comptoir.staff.models import Employee


@employee_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """The employee's own password; their other sessions end (Django's session hash)."""
    employee = signed_in_employee(request)
    form = PasswordChangeForm(employee, post_data(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            form.save()
            update_session_auth_hash(request, form.user)
            messages.success(
                request, _("Your password is changed. Your other sessions are closed.")
            )
            return redirect("staff:password_change")
        status = 400
    return render(request, "staff/password_change.html", {"form": form}, status=status)


@csrf_protect
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """ "Forgot password": the same answer whatever the address (``accounts``)."""
    form = PasswordResetRequestForm(post_data(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                accounts.password_reset_request(
                    email=form.cleaned_data["email"],
                    client_address=client_address(request) or "unknown",
                )
            except accounts.ResetThrottled:
                form.add_error(None, _("Too many requests. Please wait an hour and try again."))
                status = 429
            else:
                return redirect("staff:password_reset_done")
        else:
            status = 400
    return render(request, "staff/password_reset_form.html", {"form": form}, status=status)


password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="staff/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="staff/password_reset_confirm.html",
    success_url=reverse_lazy("staff:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="staff/password_reset_complete.html"
)


# --- two-factor login ---------------------------------------------------------------------------

PENDING = "two_factor_pending"  # the session key: employee id, next page, when the password passed
PENDING_SECONDS = 5 * 60
BACKEND = "django.contrib.auth.backends.ModelBackend"


def login_second_step(request: HttpRequest, employee: Employee, next_url: str) -> HttpResponse:
    """The password matched an employee with two-factor login: they are not signed in yet; the
    session remembers them for five minutes while they type their code."""
    request.session.cycle_key()
    request.session[PENDING] = {"id": employee.pk, "next": next_url, "at": time.time()}
    return redirect("staff:login_verify")


def _pending_employee(request: HttpRequest) -> tuple[Employee, str] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    employee = Employee.objects.filter(pk=int(pending.get("id") or 0), is_active=True).first()
    return (employee, str(pending.get("next") or "")) if employee is not None else None


@csrf_protect
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the authenticator's code, or a recovery code."""
    found = _pending_employee(request)
    if found is None:
        request.session.pop(PENDING, None)
        return redirect("staff:login")
    employee, next_url = found
    form = TwoFactorCodeForm(post_data(request))
    status = 200
    if request.method == "POST":
        device = two_factor.two_factor_verify(employee=employee, code=form.data.get("code", ""))
        if device is not None:
            del request.session[PENDING]
            login(request, employee, backend=BACKEND)
            otp_login(request, device)  # this session is verified by a second factor
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        form.is_valid()
        form.add_error("code", _("This code is not valid. Wait a moment and try again."))
        status = 400
    return render(request, "staff/login_verify.html", {"form": form}, status=status)


@employee_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_page(request: HttpRequest) -> HttpResponse:
    """Set up, use or turn off two-factor login for one's own account."""
    employee = signed_in_employee(request)
    device = two_factor.two_factor_device(employee)
    verified = is_verified(employee)
    form = TwoFactorCodeForm(post_data(request))
    action = request.POST.get("action", "")
    context: dict[str, Any] = {"form": form, "required": two_factor.two_factor_required(employee)}
    status = 200
    if request.method == "POST" and device is None and action == "confirm":
        confirmed = two_factor.two_factor_confirm(employee=employee, code=form.data.get("code", ""))
        if confirmed is not None:
            otp_login(request, confirmed[0])
            messages.success(request, _("Two-factor login is on."))
            return _codes_page(request, confirmed[1])
        form.is_valid()
        form.add_error("code", _("This code is not valid. Wait a moment and try again."))
        status = 400
    elif request.method == "POST" and device is not None and not verified:
        used = two_factor.two_factor_verify(employee=employee, code=form.data.get("code", ""))
        if used is not None:
            otp_login(request, used)
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.is_valid()
        form.add_error("code", _("This code is not valid. Wait a moment and try again."))
        status = 400
    elif request.method == "POST" and device is not None and action == "codes":
        return _codes_page(request, two_factor.recovery_codes_renew(employee=employee))
    elif request.method == "POST" and device is not None and action == "off":
        if context["required"]:
            messages.error(request, _("Administrators of this shop must use two-factor login."))
        else:
            two_factor.two_factor_turn_off(employee=employee)
            messages.success(request, _("Two-factor login is off."))
        return redirect("staff:two_factor")
    if device is None:
        pending = two_factor.two_factor_pending_device(employee)
        context["secret"] = two_factor.two_factor_secret(pending)
        context["uri"] = two_factor.two_factor_uri(pending, employee)
    context.update({"device": device, "verified": verified})
    return render(request, "staff/two_factor.html", context, status=status)


def _codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    return render(request, "staff/recovery_codes.html", {"codes": codes})


# --- signature ----------------------------------------------------------------------------------


@employee_required
@require_http_methods(["GET", "POST"])
def signature_page(request: HttpRequest) -> HttpResponse:
    """The employee's own signature, per language, added to their replies."""
    employee = signed_in_employee(request)
    form = SignatureForm(post_data(request), employee=employee)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.employee_signature_set(employee=employee, signature=form.signature_values())
            messages.success(request, _("Your signature is saved."))
            return redirect("staff:signature")
        status = 400
    context = {"form": form, "employee": employee, "own": True}
    return render(request, "staff/signature.html", context, status=status)
