"""SQLite's query planner statistics, kept present and roughly current.

Without ``sqlite_stat1`` rows for a table, SQLite guesses which index to use: at 10^5 threads
the deep page of the customer service page (closed threads in French, sorted by last message,
half-way down) then walks the status index and sorts, 216 ms instead of 11; at 10^6, 3.4 s. A
table has no statistics on a new installation, and loses them whenever a migration rebuilds it
(SQLite rebuilds a table for most column changes). An approximate ANALYZE (``analysis_limit``)
is not enough: its estimates lead to the same bad plan.

``planner_statistics_refresh`` runs a full ANALYZE when a large table has no statistics or has
grown by a quarter since its last one: after every migration and from the worker's tidy step.
ANALYZE reads every index (about 15 s at 10^6 threads), so it runs rarely. PostgreSQL
(autovacuum) and MariaDB (InnoDB's persistent statistics) keep their own.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

# The tables whose plans depend on statistics (the list's filters and sorts, the thread page).
TABLES = ("threads_thread", "threads_message", "threads_threadevent", "mail_inboundmail")
MIN_ROWS = 5_000  # below this every plan is fast
GROWTH = 1.25


def _stale(cursor: Any, min_rows: int) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    analysed: dict[str, int] = {}
    if cursor.fetchone() is not None:
        # Each row's stat starts with the table's row count when it was analysed.
        cursor.execute("SELECT tbl, stat FROM sqlite_stat1")
        for table, stat in cursor.fetchall():
            rows = int(str(stat).split(" ", 1)[0] or 0)
            analysed[table] = max(analysed.get(table, 0), rows)
    stale = []
    for table in TABLES:
        cursor.execute(f'SELECT COALESCE(MAX(rowid), 0) FROM "{table}"')  # noqa: S608 — a constant
        rows = int(cursor.fetchone()[0])
        if rows >= min_rows and rows > analysed.get(table, 0) * GROWTH:
            stale.append(table)
    return stale


def planner_statistics_refresh(
    using: str = DEFAULT_DB_ALIAS, *, min_rows: int | None = None
) -> list[str]:
    """ANALYZE the tables whose statistics are missing or stale (SQLite); returns them."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        stale = _stale(cursor, MIN_ROWS if min_rows is None else min_rows)
        for table in stale:
            cursor.execute(f'ANALYZE "{table}"')
    return stale
