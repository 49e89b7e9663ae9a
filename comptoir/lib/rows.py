"""Writing many rows' fields at once, cheaper than the ORM's ``bulk_update``.

``QuerySet.bulk_update`` builds one ``CASE WHEN pk = … THEN …`` expression per field and row and
compiles it: for 50 rows of 8 fields that cost about 2 ms of Python, more than the database's
work. Here one prepared ``UPDATE … WHERE pk = %s`` is executed for each row with
``executemany``: SQLite and psycopg run the batch in one call (psycopg in pipeline mode).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router


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
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
