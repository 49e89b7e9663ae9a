from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers


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
