"""Shop data from CSV files: the rows of ``shop.sync`` as spreadsheet lines, a batch at a time.

Columns are the fields of the API (``external_id``, ``email``…); an order state's names are
``name_en``, ``name_fr``, ``name_es`` (or ``name``, in the shop's language). Empty cells are
absent values. The separator (``,`` or ``;``) is detected, a UTF-8 byte-order mark is ignored.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import DatabaseError
from django.utils.translation import gettext as _
from pydantic import BaseModel

from comptoir.lib.validation import FieldError
from comptoir.shop import services
from comptoir.shop.sync import CustomerIn, OrderHistoryIn, OrderIn, OrderStateIn

BATCH = 1000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Kind:
    name: str
    schema: type[BaseModel]
    upsert: Callable[..., services.SyncReport]


# In the order they depend on each other.
KINDS = [
    Kind("customers", CustomerIn, services.customers_upsert),
    Kind("order-states", OrderStateIn, services.order_states_upsert),
    Kind("orders", OrderIn, services.orders_upsert),
    Kind("order-history", OrderHistoryIn, services.order_history_upsert),
]


def _row(kind: Kind, cells: dict[str, str | None]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    names: dict[str, str] = {}
    for column, value in cells.items():
        if column is None or value is None or not value.strip():
            continue
        column = column.strip()
        if kind.name == "order-states" and column == "name":
            names[settings.LANGUAGE_CODE] = value
        elif kind.name == "order-states" and column.startswith("name_"):
            names[column.removeprefix("name_")] = value
        else:
            row[column] = value
    if kind.name == "order-states":
        row["name"] = names
    return row


def _reader(handle: IO[str]) -> csv.DictReader[str]:
    sample = handle.read(8192)
    handle.seek(0)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.DictReader(handle, dialect=dialect)


def _unreadable(exc: csv.Error) -> FieldError:
    if "field limit" in str(exc):
        message = _("This line cannot be read: a field is longer than %(limit)s characters.") % {
            "limit": intcomma(csv.field_size_limit())
        }
    else:
        message = _("This line cannot be read: %(reason)s") % {"reason": exc}
    return FieldError("line", message, "unreadable")


def _batches(
    reader: csv.DictReader[str], kind: Kind
) -> Iterator[list[dict[str, Any] | FieldError]]:
    """The rows a batch at a time; a line the reader refuses (a field over its limit) takes
    its place as a FieldError, and reading goes on with the next line."""
    batch: list[dict[str, Any] | FieldError] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            batch.append(_unreadable(exc))
        else:
            batch.append(_row(kind, cells))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _upsert(kind: Kind, rows: Sequence[tuple[int, BaseModel]]) -> services.SyncReport:
    """The batch in one transaction; when the database refuses it, each row alone, so that one
    row it cannot store loses only itself."""
    try:
        return kind.upsert(rows=rows)
    except DatabaseError:
        report = services.SyncReport()
        for index, row in rows:
            try:
                report.add(kind.upsert(rows=[(index, row)]))
            except DatabaseError as exc:
                message = _("The database refused this row: %(reason)s") % {"reason": exc}
                external_id = str(getattr(row, "external_id", ""))
                error = FieldError("row", message, "database")
                report.rejected.append(services.Rejected(index, external_id, [error]))
        return report


def csv_import(kind: Kind, path: Path, *, progress: Progress | None = None) -> services.SyncReport:
    """Upsert every line of ``path``; rejected rows carry their index from 0 = the first data
    line (line 2 of the file, after the header)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        total = max(sum(1 for _line in handle) - 1, 0)
        handle.seek(0)
        report = services.SyncReport()
        done = 0
        for batch in _batches(_reader(handle), kind):
            good, rejected = services.rows_validate(kind.schema, batch, start=done)
            part = _upsert(kind, good) if good else services.SyncReport()
            part.rejected = [*rejected, *part.rejected]
            report.add(part)
            done += len(batch)
            if progress is not None:
                progress(done, max(total, done))
    report.rejected.sort(key=lambda r: r.index)
    return report
