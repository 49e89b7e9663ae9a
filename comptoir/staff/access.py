"""Who may see the back office: decorators used by every /desk/ view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from comptoir.staff.models import Employee

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def current_employee(request: HttpRequest) -> Employee | None:
    user = request.user
    return user if isinstance(user, Employee) and user.is_active else None


def signed_in_employee(request: HttpRequest) -> Employee:
    """The employee of a view behind ``employee_required`` or ``administrator_required``."""
    employee = current_employee(request)
    if employee is None:  # only when a view forgot its decorator
        raise PermissionDenied
    return employee


def employee_required(view: View[P]) -> View[P]:
    """Logged-in active employees only; others go to the login page."""

    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if current_employee(request) is None:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def administrator_required(view: View[P]) -> View[P]:
    """Administrators only; an agent gets 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        employee = current_employee(request)
        if employee is None:
            return redirect_to_login(request.get_full_path())
        if not employee.is_administrator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
