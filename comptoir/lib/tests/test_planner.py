"""SQLite's planner statistics are written when missing and again when a table has grown."""

import pytest
from django.db import connection

from comptoir.lib.planner import planner_statistics_refresh
from comptoir.testing import make_thread

pytestmark = pytest.mark.django_db


def _analysed_rows(table: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        found = cursor.fetchone()
    return int(found[0].split(" ", 1)[0]) if found else None


def test_missing_or_outgrown_statistics_are_written_again():
    for n in range(4):
        make_thread(email=f"s{n}@example.com")
    refreshed = planner_statistics_refresh(min_rows=1)
    if connection.vendor != "sqlite":  # the server keeps its own statistics
        assert refreshed == []
        return
    assert "threads_thread" in refreshed
    assert _analysed_rows("threads_thread") == 4
    assert planner_statistics_refresh(min_rows=1) == []  # current: nothing to do
    make_thread(email="s4@example.com")  # 5 rows: not more than a quarter more than 4
    assert planner_statistics_refresh(min_rows=1) == []
    make_thread(email="s5@example.com")
    assert "threads_thread" in planner_statistics_refresh(min_rows=1)
    assert _analysed_rows("threads_thread") == 6


def test_small_tables_are_left_to_the_planners_guesses():
    make_thread()
    assert planner_statistics_refresh() == []


def test_a_migration_and_the_worker_refresh_the_statistics(monkeypatch):
    from django.core.management import call_command

    from comptoir.lib import planner
    from comptoir.ops.worker import Worker

    monkeypatch.setattr(planner, "MIN_ROWS", 1)
    for n in range(4):
        make_thread(email=f"m{n}@example.com")
    call_command("migrate", verbosity=0)  # nothing to apply: post_migrate still runs
    if connection.vendor != "sqlite":
        return  # nothing to refresh there (the test above checks the refusal)
    assert _analysed_rows("threads_thread") == 4
    for n in range(2):
        make_thread(email=f"w{n}@example.com")
    Worker(interval=0).tidy()
    assert _analysed_rows("threads_thread") == 6
