"""Small request helpers shared by the views."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict


def post_data(request: HttpRequest) -> QueryDict | None:
    """The posted form data, or None on a GET (a form bound to None is unbound)."""
    return request.POST if request.method == "POST" else None
