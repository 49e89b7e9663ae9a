from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django_otp.middleware import is_verified

from comptoir.staff.models import Employee


class EmployeeLanguageMiddleware:
    """In the back office, pages speak the language the logged-in employee chose."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language and request.path.startswith("/desk/"):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class DeskNoStoreMiddleware:
    """Back-office pages show customers' messages and orders: no browser or proxy keeps a copy
    (``Cache-Control: no-store``; the back button then asks the server again, which signs out
    a session that ended)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/desk/"):
            add_never_cache_headers(response)
        return response


class AdminTwoFactorMiddleware:
    """With ``COMPTOIR_ADMIN_TWO_FACTOR`` on, an administrator whose session is not verified by a
    second factor sees only the two-factor page (to set it up or type a code) until it is."""

    ALLOWED = ("/desk/account/two-factor/", "/desk/logout/", "/desk/login/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.COMPTOIR_ADMIN_TWO_FACTOR
            and request.path.startswith("/desk/")
            and not request.path.startswith(self.ALLOWED)
            and isinstance(user, Employee)
            and user.is_active
            and user.is_administrator
            and not is_verified(user)
        ):
            return redirect("staff:two_factor")
        return self.get_response(request)
