"""What every operation refuses before it runs, whatever its schemas say:

- unknown or repeated query parameters: a typo in a filter (``stauts=open``) must not silently
  return every row, nor ``status=open&status=closed`` silently keep one of the two (ninja drops
  parameters it does not know and keeps the last of repeated ones);
- text with a NUL character, in the path, the query or the body: no database stores it (PostgreSQL
  refuses it outright), and no person types it. Django's forms refuse it the same way;
- a whole number beyond 64 bits, anywhere: no column holds it, and sent to the database it fails
  there (SQLite: OverflowError; a foreign key's lookup is not range-checked by Django).
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.params.models import Query as QueryMarker
from pydantic import BaseModel

from comptoir.api.errors import invalid
from comptoir.lib.params import INT_MAX
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


def _nul_fields(value: Any, path: str = "") -> Iterator[str]:
    """The dotted path of each text holding a NUL character."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, str):
        if "\x00" in value:
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nul_fields(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _nul_fields(item, f"{path}.{index}" if path else str(index))


def _huge_fields(value: Any, path: str = "") -> Iterator[str]:
    """The dotted path of each whole number no database column can hold."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, int) and not isinstance(value, bool):
        if not -INT_MAX <= value <= INT_MAX:
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _huge_fields(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _huge_fields(item, f"{path}.{index}" if path else str(index))


def strict_input(view: Callable[..., Any]) -> Callable[..., Any]:
    """An operation decorator (``api.add_decorator``), run once the input is validated."""
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
        message = _("Null characters are not allowed.")
        for name, value in kwargs.items():
            # A schema's fields are named for themselves, a path parameter by its name.
            root = "" if isinstance(value, BaseModel) else name
            errors += [FieldError(f, message, "null_character") for f in _nul_fields(value, root)]
            errors += [
                FieldError(f, _("This number is too large."), "number_too_large")
                for f in _huge_fields(value, root)
            ]
        if errors:
            raise invalid(errors)
        return view(request, *args, **kwargs)

    return checked
