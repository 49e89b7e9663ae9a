"""Unknown or repeated query parameters are refused: a typo in a filter (``stauts=open``) must not
silently return every row, nor ``status=open&status=closed`` silently keep one of the two. ninja
itself drops parameters it does not know and keeps the last of repeated ones."""

from __future__ import annotations

import typing
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.params.models import Query as QueryMarker
from pydantic import BaseModel

from comptoir.api.errors import invalid
from comptoir.lib.validation import FieldError


def _query_names(view: Callable[..., Any]) -> set[str]:
    names: set[str] = set()
    for name, hint in typing.get_type_hints(view, include_extras=True).items():
        args = typing.get_args(hint)
        if not args or not any(isinstance(meta, QueryMarker) for meta in args[1:]):
            continue
        model = args[0]
        if isinstance(model, type) and issubclass(model, BaseModel):
            names |= set(model.model_fields)
        else:
            names.add(name)
    return names


def refuse_unknown_query(view: Callable[..., Any]) -> Callable[..., Any]:
    """An operation decorator (``api.add_decorator``)."""
    allowed = _query_names(view)

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        errors = [
            FieldError(name, _("Unknown parameter."), "unknown_parameter")
            for name in sorted(set(request.GET) - allowed)
        ]
        errors += [
            FieldError(name, _("Give this parameter once."), "repeated_parameter")
            for name in sorted(allowed & set(request.GET))
            if len(request.GET.getlist(name)) > 1
        ]
        if errors:
            raise invalid(errors)
        return view(request, *args, **kwargs)

    return checked
