"""Every error the API answers is JSON: a stable ``code``, a translated ``message`` and, for bad
input, the ``errors`` of each field (``field`` is a dotted path, ``items.3.email`` in a batch)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from comptoir.lib.validation import FieldError, field_errors


class FieldErrorOut(Schema):
    field: str
    message: str
    code: str


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[FieldErrorOut] = []


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, errors: Sequence[FieldError] = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = list(errors)


def invalid(errors: Sequence[FieldError], message: str | None = None) -> ApiError:
    return ApiError(422, "validation_error", message or _("The request is not valid."), errors)


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("Not found."))


def _strip(loc: list[object]) -> list[object]:
    """ninja's locations start with where the value was: ("body", <parameter>), ("query",),
    ("path",). The caller knows where; the field's own path is what helps."""
    if loc[:1] == ["body"]:
        return loc[2:]
    if loc[:1] in (["query"], ["path"]):
        return loc[1:]
    return loc


def _respond(api: NinjaAPI, request: HttpRequest, error: ApiError) -> HttpResponse:
    body = {
        "code": error.code,
        "message": error.message,
        "errors": [e.as_dict() for e in error.errors],
    }
    response = api.create_response(request, body, status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="comptoir"'
    return response


def errors_install(api: NinjaAPI) -> None:
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return _respond(api, request, exc)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [{**e, "loc": _strip(list(e.get("loc", ())))} for e in exc.errors]
        return _respond(api, request, invalid(field_errors(errors)))

    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = _("An API key is needed: send the header Authorization: Bearer <key>.")
        return _respond(api, request, ApiError(401, "not_authenticated", message))

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _respond(api, request, not_found())

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        message = _("Too many requests: wait a moment and try again.")
        return _respond(api, request, ApiError(429, "rate_limited", message))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:  # the body could not be read as JSON
            message = _("The body is not valid JSON.")
            return _respond(api, request, ApiError(400, "malformed_body", message))
        return _respond(api, request, ApiError(exc.status_code, "http_error", str(exc)))

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        message = _("The request is too large.")
        return _respond(api, request, ApiError(413, "too_large", message))

    api.add_exception_handler(ApiError, on_api_error)  # type: ignore[arg-type]
    api.add_exception_handler(ValidationError, on_validation)  # type: ignore[arg-type]
    api.add_exception_handler(AuthenticationError, on_unauthenticated)  # type: ignore[arg-type]
    api.add_exception_handler(Http404, on_not_found)  # type: ignore[arg-type]
    api.add_exception_handler(Throttled, on_throttled)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, on_http_error)  # type: ignore[arg-type]
    api.add_exception_handler(RequestDataTooBig, on_too_big)  # type: ignore[arg-type]
