"""The access log: one line per request, written by comptoir rather than the web server so
that it names the client as every rate limit and throttle does (``lib.http.client_address``,
which believes X-Forwarded-For only from COMPTOIR_TRUSTED_PROXIES)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from comptoir.lib.http import client_address

log = logging.getLogger("comptoir.access")


class AccessLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        if log.isEnabledFor(logging.INFO):
            # The path without its query string: queries may carry what does not belong in logs.
            log.info(
                '%s "%s %s" %s %.0fms',
                client_address(request) or "-",
                request.method,
                request.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        return response
