"""Request bodies larger than any real request are refused at their declared length, before a
byte of them is read.

Django reads a multipart body whole (files go to a temporary file) before a form can say "too
large", and the CSRF check reads it first; a 200 MB anonymous post cost 200 MB of disk and the
time to take it in. This middleware, placed before anything that reads the body, answers 413 when
``Content-Length`` says more than the path's limit (``settings.BODY_SIZE_LIMITS``, by path
prefix; elsewhere ``DATA_UPLOAD_MAX_MEMORY_SIZE``). Under WSGI a request without a length has no
body for Django, and one that sends more than it declared is read up to its declared length only,
so the declared length bounds what is read.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from comptoir.lib.params import int_param


def body_limit(path: str) -> int:
    """The largest body a request to ``path`` may declare."""
    for prefix, limit in settings.BODY_SIZE_LIMITS:
        if path.startswith(prefix):
            return int(limit)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = int_param(request.META.get("CONTENT_LENGTH") or "0") or 0
        limit = body_limit(request.path)
        if declared <= limit:
            return self.get_response(request)
        message = _("The request is too large.")
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"code": "too_large", "message": message, "errors": []}, status=413
            )
        else:
            context = {"message": message, "limit": filesizeformat(limit)}
            response = render(request, "too_large.html", context, status=413)
        return response
