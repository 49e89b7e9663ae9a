"""Input errors as people read them: each names its field and says what is wrong, translated.

pydantic (the API's schemas, the shop data sync) reports errors in English with a machine code;
this turns them into ``FieldError`` values in the active language, the same words whether the
input came as JSON through the API or as a CSV file through ``comptoir import``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "code": self.code}


def _location(loc: Iterable[Any]) -> str:
    return ".".join(str(part) for part in loc)


def _message(kind: str, ctx: Mapping[str, Any], fallback: str) -> str:
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])  # our own validators already speak the active language
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind in {"string_type", "string_sub_type"}:
        return _("Enter a text.")
    if kind == "string_too_short":
        return _("This field cannot be blank.")
    if kind == "string_too_long":
        return _("Ensure this value has at most %(max)s characters.") % {
            "max": ctx.get("max_length")
        }
    if kind in {"bool_type", "bool_parsing"}:
        return _("Enter true or false.")
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _("Enter a whole number.")
    if kind.startswith("decimal_max_places"):
        return _("Ensure that there are no more than %(max)s decimal places.") % {
            "max": ctx.get("decimal_places")
        }
    if kind.startswith(("decimal_max_digits", "decimal_whole_digits")):
        return _("This number is too large.")
    if kind.startswith(("decimal", "float")):
        return _("Enter a number.")
    if kind in {"greater_than_equal", "greater_than"}:
        limit = ctx.get("ge", ctx.get("gt"))
        return _("Ensure this value is greater than or equal to %(limit)s.") % {"limit": limit}
    if kind in {"less_than_equal", "less_than"}:
        limit = ctx.get("le", ctx.get("lt"))
        return _("Ensure this value is less than or equal to %(limit)s.") % {"limit": limit}
    if kind.startswith(("datetime", "date", "timezone")):
        return _("Enter a valid date and time (ISO 8601, for example 2026-03-01T14:30:00+01:00).")
    if kind in {"literal_error", "enum"}:
        return _("Select a valid choice: %(expected)s.") % {"expected": ctx.get("expected", "")}
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("Enter an object.")
    if kind in {"list_type", "tuple_type"}:
        return _("Enter a list.")
    if kind == "too_long":
        return _("At most %(max)s items.") % {"max": ctx.get("max_length")}
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    return fallback


def field_errors(
    errors: Iterable[Mapping[str, Any]], *, prefix: Iterable[str] = ()
) -> list[FieldError]:
    """pydantic's ``errors()`` list as translated field errors (``prefix`` is dropped from
    locations, e.g. ``("body", "payload")`` of a request body)."""
    skip = list(prefix)
    result = []
    for error in errors:
        loc = list(error.get("loc", ()))
        if loc[: len(skip)] == skip:
            loc = loc[len(skip) :]
        kind = str(error.get("type", "value_error"))
        ctx = error.get("ctx") or {}
        result.append(
            FieldError(
                field=_location(loc) or "body",
                message=_message(kind, ctx, str(error.get("msg", ""))),
                code=kind,
            )
        )
    return result
