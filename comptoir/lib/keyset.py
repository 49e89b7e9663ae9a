"""Pages by keyset, for the desk's list and the API's lists.

A page is found from the position of the row before it (its sort value and its id), never by an
offset: the thousandth page costs what the first does, rows added meanwhile are neither skipped
nor repeated, and nothing counts the table. The position travels as an opaque cursor (base64 of a
JSON list); a cursor this list did not make (forged, cut, or from a list with another order) is
refused with ``CursorInvalid``, and each caller decides what that means (the desk shows the first
page, the API answers 422).

The condition after a position is written ``v <= x AND (v < x OR id < y)`` (descending) rather
than ``v < x OR (v = x AND id < y)``: its first term is a plain range on the sort column, which
every planner uses to start inside the index (docs/DECISIONS.md, "Queries written for the
planner").
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import Q, QuerySet

from comptoir.lib.params import INT_MAX, has_nul, moment_param

ModelT = TypeVar("ModelT", bound=models.Model)
RowT = TypeVar("RowT")


class CursorInvalid(ValueError):
    """A cursor this list did not make."""


@dataclass(frozen=True)
class Keyset:
    """An order by ``column`` then id (``column`` "id": by id alone), and its cursors.

    ``column`` must be a date-time, integer or text field with an index starting with it.
    """

    column: str = "id"
    descending: bool = False

    def order(self, *, reverse: bool = False) -> list[str]:
        sign = "-" if self.descending != reverse else ""
        if self.column == "id":
            return [f"{sign}id"]
        return [f"{sign}{self.column}", f"{sign}id"]

    def rows_after(
        self, rows: QuerySet[ModelT], position: Sequence[Any], *, reverse: bool = False
    ) -> QuerySet[ModelT]:
        """The rows after ``position`` in this order (``reverse``: before it)."""
        descending = self.descending != reverse
        strictly = "lt" if descending else "gt"
        if self.column == "id":
            (pk,) = position
            return rows.filter(**{f"id__{strictly}": pk})
        value, pk = position
        within = "lte" if descending else "gte"
        return rows.filter(
            Q(**{f"{self.column}__{within}": value})
            & (Q(**{f"{self.column}__{strictly}": value}) | Q(**{f"id__{strictly}": pk}))
        )

    def position_of(self, row: Any) -> list[Any]:
        """Where a row (a model instance, or any object with ``pk`` and the column) stands."""
        if self.column == "id":
            return [row.pk]
        return [getattr(row, self.column), row.pk]

    def kinds(self, model: type[models.Model]) -> list[type]:
        """The Python type of each value of a cursor, from the model's field."""
        if self.column == "id":
            return [int]
        field = model._meta.get_field(self.column)
        if isinstance(field, models.DateTimeField):
            kind: type = datetime
        elif isinstance(field, models.IntegerField):
            kind = int
        elif isinstance(field, models.CharField | models.TextField):
            kind = str
        else:
            raise TypeError(f"{model.__name__}.{self.column} cannot order a keyset")
        return [kind, int]


def cursor_encode(values: Sequence[Any]) -> str:
    plain = [value.isoformat() if isinstance(value, datetime) else value for value in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def cursor_decode(cursor: str, kinds: Sequence[type]) -> list[Any]:
    """The values of ``cursor``, each of its kind; ``CursorInvalid`` for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError
        return [_typed(value, kind) for value, kind in zip(values, kinds, strict=True)]
    except (ValueError, TypeError, UnicodeError, OverflowError, RecursionError):
        raise CursorInvalid(cursor) from None


def _typed(value: Any, kind: type) -> Any:
    """The value as the column holds it; ValueError for anything a row of it cannot hold (a
    number beyond 64 bits, a date-time without offset or outside 1900–2999, a NUL character),
    which would otherwise fail only in the database."""
    if kind is datetime and isinstance(value, str):
        moment = moment_param(value)
        if moment is not None:
            return moment
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if kind is int and is_int and -INT_MAX <= value <= INT_MAX:
        return value
    if kind is str and isinstance(value, str) and not has_nul(value):
        return value
    raise ValueError(value)


@dataclass
class KeysetPage(Generic[RowT]):
    """Rows, and the cursors of the pages on either side ("" where there is none)."""

    rows: list[RowT]
    next_cursor: str
    previous_cursor: str


def keyset_page(
    rows: QuerySet[ModelT],
    keyset: Keyset,
    *,
    limit: int,
    read: Callable[[QuerySet[ModelT]], Iterable[RowT]],
    after: str | None = None,
    before: str | None = None,
) -> KeysetPage[RowT]:
    """The ``limit`` rows after the cursor ``after``, or before the cursor ``before`` (when no
    ``after`` is given), or the first ones; ``read`` turns the page's queryset into rows
    (``list``, or plain values). Raises ``CursorInvalid`` for a cursor this list did not make.
    """
    backwards = bool(before) and not after
    cursor = before if backwards else after
    ordered = rows.order_by(*keyset.order(reverse=backwards))
    if cursor:
        position = cursor_decode(cursor, keyset.kinds(rows.model))
        ordered = keyset.rows_after(ordered, position, reverse=backwards)
    found = list(read(ordered[: limit + 1]))
    more = len(found) > limit
    page = found[:limit]
    if backwards:
        page.reverse()
    # Going backwards, the page we came from follows; going forwards, the cursor's row precedes.
    has_next = more or backwards
    has_previous = more if backwards else bool(cursor)
    return KeysetPage(
        rows=page,
        next_cursor=cursor_encode(keyset.position_of(page[-1])) if page and has_next else "",
        previous_cursor=cursor_encode(keyset.position_of(page[0])) if page and has_previous else "",
    )
