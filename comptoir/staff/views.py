from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from comptoir.lib.http import post_data
from comptoir.staff import services
from comptoir.staff.access import employee_required, signed_in_employee
from comptoir.staff.account_views import login_second_step
from comptoir.staff.forms import LoginForm
from comptoir.staff.two_factor import two_factor_device


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request, data=post_data(request))
    if request.method == "POST" and form.is_valid() and form.employee is not None:
        if two_factor_device(form.employee) is not None:  # the code next (account_views)
            return login_second_step(request, form.employee, next_url)
        login(request, form.employee)
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "staff/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@employee_required
def preferences(request: HttpRequest) -> HttpResponse:
    employee = signed_in_employee(request)
    choices = settings.LANGUAGES
    if request.method == "POST":
        language = request.POST.get("language", "")
        if language in dict(choices):
            services.employee_set_language(employee=employee, language=language)
            translation.activate(language)
            messages.success(request, _("Your preferences are saved."))
            return redirect("staff:preferences")
        messages.error(request, _("Choose one of the shop's languages."))
    return render(request, "staff/preferences.html", {"languages": choices, "employee": employee})
