from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


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
