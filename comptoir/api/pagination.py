"""The API's lists: a cursor and a size in the query, ``{"items", "next_cursor"}`` in the answer.

Pages are found by keyset (``comptoir.lib.keyset``, shared with the desk's list); a cursor the
list did not make is refused as an invalid field.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from comptoir.api.errors import invalid
from comptoir.lib.keyset import CursorInvalid, Keyset, keyset_page
from comptoir.lib.validation import FieldError

ModelT = TypeVar("ModelT", bound=Model)
ItemT = TypeVar("ItemT")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
BY_ID = Keyset("id")
NEWEST_FIRST = Keyset("id", descending=True)
# What a sync follows: rows by time of last change, so that one stopped can resume.
BY_CHANGE = Keyset("updated_at")


class ListQuery(Schema):
    """The query of a list: its cursor and size (and, in subclasses, its filters)."""

    cursor: str | None = Field(None, min_length=1, description="next_cursor of the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class Page(Schema, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = None


def list_page(rows: QuerySet[ModelT], *, keyset: Keyset, query: ListQuery) -> dict[str, object]:
    """The page of ``rows`` that ``query`` asks for, as the ``Page`` schema reads it."""
    try:
        page = keyset_page(rows, keyset, limit=query.limit, read=list, after=query.cursor)
    except CursorInvalid:
        message = _("This cursor is not valid.")
        raise invalid([FieldError("cursor", message, "invalid_cursor")]) from None
    return {"items": page.rows, "next_cursor": page.next_cursor or None}
