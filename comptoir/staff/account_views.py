"""An employee's own account: their password, and "forgot password" (Django's reset views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from comptoir.lib.http import post_data
from comptoir.staff import accounts
from comptoir.staff.access import employee_required, signed_in_employee
from comptoir.staff.forms import PasswordResetRequestForm


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
                    client_address=request.META.get("REMOTE_ADDR", ""),
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
