"""Fast inserts for the generator: plain rows through ``executemany``, ids chosen up front.

``bulk_create`` spends most of its time compiling SQL per object (about 30 us per row); a
generator writing millions of rows only needs one INSERT statement per table and values already
in the database's format. Ids are assigned here (the tables are new), so rows can point at each
other before they are written; PostgreSQL's sequences are moved past them at the end (MariaDB's
AUTO_INCREMENT moves by itself).

The formats are those of Django's backends (``connection.ops.adapt_*``): on SQLite and MariaDB a
datetime is naive UTC (``USE_TZ``), a JSON value is text; SQLite keeps decimals as text; on
PostgreSQL psycopg adapts datetimes and decimals itself, and JSON goes as ``jsonb``. PyMySQL turns
an ``executemany`` of one INSERT into multi-row INSERTs of about a megabyte each.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models

BATCH = 5000


def _naive_utc(value: datetime | None) -> str | None:
    # What Django's SQLite and MySQL backends store: naive UTC, str() format.
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return str(value.replace(tzinfo=None))


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    sqlite = connection.vendor == "sqlite"
    if isinstance(field, models.JSONField):
        if connection.vendor != "postgresql":
            return json.dumps
        from psycopg.types.json import Jsonb

        return Jsonb
    if connection.vendor != "postgresql" and isinstance(field, models.DateTimeField):
        return _naive_utc
    if sqlite and isinstance(field, models.DecimalField):
        return lambda value: None if value is None else str(Decimal(value))
    return None


class Table:
    """Rows for one model, written in batches; ``new_id()`` hands out primary keys."""

    def __init__(self, model: type[models.Model], columns: list[str]) -> None:
        self.model = model
        meta = model._meta
        fields = [meta.get_field(name) for name in columns]
        self.columns = ["id", *[f.column for f in fields]]
        # (position, converter) of the values that need one; the others go in as they are.
        converters = [(i + 1, _converter(f)) for i, f in enumerate(fields)]
        self.convert = [(i, c) for i, c in converters if c is not None]
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        self.sql = (
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 — names from the model, values bound
        )
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(meta.db_table)
            cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 — a model's table
            self.last_id = cursor.fetchone()[0] or 0
        self.rows: list[list[Any]] = []
        self.written = 0

    def new_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def add(self, row_id: int, *values: Any) -> None:
        row = [row_id, *values]
        if len(row) != len(self.columns):
            raise ValueError(f"{self.model.__name__}: {len(row)} values for {self.columns}")
        for position, convert in self.convert:
            row[position] = convert(row[position])
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, self.rows)
        self.written += len(self.rows)
        self.rows = []


def sequences_reset(tables: list[Table]) -> None:
    """PostgreSQL: move each id sequence past the ids written here (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            name = table.model._meta.db_table
            highest = f"SELECT COALESCE(MAX(id), 1) FROM {connection.ops.quote_name(name)}"  # noqa: S608
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({highest}))", [name])
