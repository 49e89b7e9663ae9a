"""Lists page by keyset: an opaque cursor holds the sort values of the last row returned, so the
thousandth page costs what the first does and rows added meanwhile are neither skipped nor
repeated. Nothing counts the whole table."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from comptoir.api.errors import invalid
from comptoir.lib.validation import FieldError

ModelT = TypeVar("ModelT", bound=Model)
ItemT = TypeVar("ItemT")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class ListQuery(Schema):
    """The query of a list: its cursor and size (and, in subclasses, its filters)."""

    cursor: str | None = Field(None, min_length=1, description="next_cursor of the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class Page(Schema, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = None


def _bad_cursor() -> Exception:
    return invalid([FieldError("cursor", _("This cursor is not valid."), "invalid_cursor")])


def cursor_encode(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def cursor_decode(cursor: str, kinds: Sequence[type]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError
        decoded: list[Any] = []
        for value, kind in zip(values, kinds, strict=True):
            if kind is datetime:
                decoded.append(datetime.fromisoformat(value))
            elif kind is int and isinstance(value, int) and not isinstance(value, bool):
                decoded.append(value)
            else:
                raise ValueError
    except (ValueError, TypeError, UnicodeError):
        raise _bad_cursor() from None
    return decoded


def keyset_page(
    rows: QuerySet[ModelT],
    *,
    by_updated: bool,
    newest_first: bool,
    cursor: str | None,
    limit: int,
) -> tuple[list[ModelT], str | None]:
    """One page of ``rows``: by (updated_at, id) ascending when syncing changes, else by id."""
    if by_updated:
        rows = rows.order_by("updated_at", "id")
        if cursor:
            at, pk = cursor_decode(cursor, [datetime, int])
            rows = rows.filter(Q(updated_at__gt=at) | Q(updated_at=at, id__gt=pk))
        key: Callable[[Any], list[Any]] = lambda row: [row.updated_at, row.pk]  # noqa: E731
    else:
        rows = rows.order_by("-id" if newest_first else "id")
        if cursor:
            (pk,) = cursor_decode(cursor, [int])
            rows = rows.filter(id__lt=pk) if newest_first else rows.filter(id__gt=pk)
        key = lambda row: [row.pk]  # noqa: E731
    found = list(rows[: limit + 1])
    page = found[:limit]
    following = cursor_encode(key(page[-1])) if len(found) > limit and page else None
    return page, following
