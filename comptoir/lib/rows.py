"""Writing many rows at once, cheaper than the ORM's ``bulk_update`` and ``bulk_create``.

``QuerySet.bulk_update`` builds one ``CASE WHEN pk = … THEN …`` expression per field and row and
compiles it: for 50 rows of 8 fields that cost about 2 ms of Python, more than the database's
work. Here one prepared ``UPDATE … WHERE pk = %s`` is executed for each row with
``executemany``: SQLite and psycopg run the batch in one call (psycopg in pipeline mode).

``bulk_create`` prepares every value through the insert compiler (an expression check, a
placeholder and a parameter list per value): for the 50 messages of a mail batch that was a
quarter of their import. ``rows_insert`` prepares a column at a time instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper


def rows_update(rows: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Save ``fields`` of each row (as ``save(update_fields=…)`` would, one statement prepared
    once). ``auto_now`` fields are not touched: set them on the rows first."""
    if not rows:
        return
    model = type(rows[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    columns: list[models.Field[Any, Any]] = []
    for name in fields:
        field = meta.get_field(name)
        if not isinstance(field, models.Field) or field.column is None:
            raise ValueError(f"{name} is not a column of {meta.label}")
        columns.append(field)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in columns)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608 — quoted names only
        f"WHERE {quote(str(meta.pk.column))} = %s"
    )
    try:
        prepared = [
            _prepared(field, [getattr(row, field.attname) for row in rows], connection)
            for field in columns
        ]
    except _Expression:
        raise ValueError(f"rows_update writes values, not expressions ({meta.label})") from None
    keys = [row.pk for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [[*values, key] for *values, key in zip(*prepared, keys, strict=True)]
        )


# Fields whose preparation returns a value of this exact type unchanged, on every backend: the
# prepare step is skipped for those values (the others go through ``get_db_prep_save``).
_PASS_THROUGH: dict[type[models.Field[Any, Any]], type] = {
    models.CharField: str,
    models.TextField: str,
    models.EmailField: str,
    models.SlugField: str,
    models.URLField: str,
    models.BooleanField: bool,
}


class _Expression(Exception):
    """A value is an expression (``F()``, ``Now()``…): the compiler's work, not ours."""


def _prepared(
    field: models.Field[Any, Any], values: list[Any], connection: BaseDatabaseWrapper
) -> list[Any]:
    """A column's values as the database takes them. A value that is the same object as an
    earlier one (the batch's one timestamp, a thread's key) is prepared once. ``rows_update``
    refuses expressions (its statement has a plain placeholder per value)."""
    prepare = field.get_db_prep_save
    kind = _PASS_THROUGH.get(type(field))
    done: dict[int, Any] = {}
    column = []
    for value in values:
        if value.__class__ is kind:
            column.append(value)
            continue
        key = id(value)
        if key not in done:
            if hasattr(value, "resolve_expression"):
                raise _Expression
            done[key] = prepare(value, connection)
        column.append(done[key])
    return column


def _columns(
    rows: Sequence[models.Model],
    fields: list[models.Field[Any, Any]],
    connection: BaseDatabaseWrapper,
) -> list[list[Any]] | None:
    """Each field's values for the rows, prepared; None for what ``rows_insert`` leaves to
    ``bulk_create``."""
    model = type(rows[0])
    meta = model._meta
    if (
        not connection.features.can_return_rows_from_bulk_insert
        or meta.parents
        or meta.db_returning_fields != [meta.pk]
        or any(getattr(field, "get_placeholder", None) for field in fields)
        or any(row.pk is not None or type(row) is not model for row in rows)
    ):
        return None
    for row in rows:  # a parent saved since it was assigned: its key, as bulk_create copies it
        row._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    try:
        return [
            _prepared(field, [field.pre_save(row, True) for row in rows], connection)
            for field in fields
        ]
    except _Expression:
        return None


def rows_insert(rows: Sequence[models.Model]) -> None:
    """Insert new rows of one model, as ``bulk_create`` does: their primary keys are set and they
    are marked saved. The values are prepared a column at a time, without the insert compiler's
    work per value (an expression check, a placeholder and a parameter list each).

    A case this does not handle (a primary key already set, a database that cannot return the
    new keys, inheritance, a field with its own placeholder or returned by the database, an
    expression as a value) goes through ``bulk_create``.
    """
    if not rows:
        return
    model = type(rows[0])
    meta = model._meta
    using = router.db_for_write(model)
    connection = connections[using]
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if f is not pk and not f.generated]
    columns = _columns(rows, fields, connection)
    if columns is None:
        model._default_manager.db_manager(using).bulk_create(rows)
        return
    quote = connection.ops.quote_name
    head = (
        f"{connection.ops.insert_statement()} {quote(meta.db_table)} "
        f"({', '.join(quote(str(field.column)) for field in fields)}) "
    )
    returning, returning_params = connection.ops.return_insert_columns([pk])
    size = max(connection.ops.bulk_batch_size(fields, rows), 1)
    marks = f"({', '.join(['%s'] * len(fields))})"
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = list(zip(*(column[start : start + size] for column in columns), strict=True))
            values_sql = "VALUES " + ", ".join([marks] * len(batch))
            cursor.execute(
                f"{head}{values_sql} {returning}",
                [value for row in batch for value in row] + list(returning_params),
            )
            keys = cursor.fetchall()
            if len(keys) != len(batch):
                raise RuntimeError(f"{meta.label}: {len(batch)} rows inserted, {len(keys)} keys")
            for row, (key,) in zip(rows[start : start + size], keys, strict=True):
                row.pk = key
                row._state.adding = False
                row._state.db = using
