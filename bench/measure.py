"""In-process measurements with django.test.Client: no network, one thread, warm.

Usage: python -m bench.measure NAME     (env: ITER=30 WARM=3 MAX_SECONDS=25, ONLY=page,page)

For each page: the SQL queries of one request (CaptureQueriesContext, after the warm-up), then the
latency of ITER requests (stopping early after MAX_SECONDS once 5 are done): median and p95.
The test environment is set up as the peer's scripts do, so both products pay the same
instrumentation. Also the median CPU time of this process per request (SQLite runs in it), which
the other processes of a busy machine disturb less than wall time. Prints one JSON line per
page.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from bench import env

ITER = int(os.environ.get("ITER", "30"))
WARM = int(os.environ.get("WARM", "3"))
MAX_SECONDS = float(os.environ.get("MAX_SECONDS", "25"))


def _shape(sql: str) -> str:
    """The query with its literals taken out: repeated shapes show an N+1."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    return re.sub(r"IN \([?, ]+\)", "IN (...)", sql)


def _statistics_block() -> Any:
    """What the customer service page computes for its KPI tiles, Statistics and contact boxes."""
    from comptoir.threads import stats

    return stats.desk_numbers()


def _statistics_block_cold() -> Any:
    """The same when the 30-day averages have just left the cache (once every few minutes)."""
    from django.core.cache import cache

    from comptoir.threads import stats

    cache.delete(stats.KPI_CACHE_KEY)
    return _statistics_block()


def _pages(name: str) -> list[tuple[str, Callable[[], Any], int | None]]:
    from django.test import Client

    from bench.pages import targets_find
    from comptoir.contact_form.forms import form_token
    from comptoir.staff.models import Employee

    targets = targets_find()
    staff = Client()
    staff.force_login(Employee.objects.get(email=targets.admin_email))
    public = Client()
    threads = itertools.cycle(targets.thread_ids)
    orders = itertools.cycle(targets.order_ids)
    serial = itertools.count(1)
    token = form_token()

    def contact_post() -> Any:
        n = next(serial)
        return public.post(
            "/contact/?lang=fr",
            {
                "contact": targets.contact_id,
                "email": f"bench.client.{n}.{os.getpid()}@example.org",
                "order_reference": "",
                "message": f"Bonjour, ma commande n'est pas arrivée (essai {n}).",
                "website": "",
                "form_token": token,
            },
            REMOTE_ADDR="198.51.100.20",
            HTTP_USER_AGENT="Mozilla/5.0 (bench)",
        )

    poll: dict[str, str] = {}

    def desk_poll() -> Any:
        """The list's refresh while nothing changes (the version read at its first call)."""
        if not poll:
            from comptoir.threads.counters import counters_read
            from comptoir.threads.listing import list_version

            poll["url"] = (
                f"/desk/threads/rows/?view=unassigned&version={list_version(counters_read())}"
            )
        return staff.get(poll["url"])

    return [
        ("ping", lambda: public.get("/healthz"), 200),
        ("desk_first", lambda: staff.get(targets.desk_first), 200),
        ("desk_view", lambda: staff.get("/desk/?view=unassigned"), 200),
        ("desk_poll", desk_poll, 204),
        ("desk_deep", lambda: staff.get(targets.desk_deep), 200),
        ("desk_search", lambda: staff.get(targets.desk_search), 200),
        ("desk_search_words", lambda: staff.get(targets.desk_search_words), 200),
        ("desk_search_newest", lambda: staff.get(targets.desk_search_newest), 200),
        ("thread", lambda: staff.get(f"/desk/threads/{next(threads)}/"), 200),
        ("statistics", _statistics_block, None),
        ("statistics_cold", _statistics_block_cold, None),
        ("order", lambda: staff.get(f"/desk/orders/{next(orders)}/"), 200),
        ("contact_get", lambda: public.get("/contact/?lang=fr"), 200),
        ("contact_post", contact_post, 302),
    ]


def measure(name: str, size: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    if os.environ.get("INSTRUMENT", "1") != "0":
        setup_test_environment()
    only = set(filter(None, os.environ.get("ONLY", "").split(",")))
    for page, call, expected in _pages(name):
        if only and page not in only:
            continue
        for _ in range(WARM):
            call()
        with CaptureQueriesContext(connection) as captured:
            response = call()
        queries = list(captured.captured_queries)
        if expected is not None and response.status_code != expected:
            raise SystemExit(f"{page}: HTTP {response.status_code}, expected {expected}")
        shapes = Counter(_shape(q["sql"]) for q in queries)
        _top, repeats = shapes.most_common(1)[0] if shapes else ("", 0)
        times: list[float] = []
        cpu: list[float] = []  # this process's CPU time: steadier than wall time on a busy machine
        started = time.perf_counter()
        while len(times) < ITER and (len(times) < 5 or time.perf_counter() - started < MAX_SECONDS):
            before, before_cpu = time.perf_counter(), time.process_time()
            call()
            times.append((time.perf_counter() - before) * 1000)
            cpu.append((time.process_time() - before_cpu) * 1000)
        env.emit(
            {
                "step": "client",
                "dataset": name,
                "size": size,
                "db": connection.vendor,
                "page": page,
                "n": len(times),
                "median_ms": round(env.median(times), 2),
                "p95_ms": round(env.percentile(times, 95), 2),
                "cpu_median_ms": round(env.median(cpu), 2),
                "queries": len(queries),
                "most_repeated_query_n": repeats,
                "sql_ms_one_request": round(sum(float(q["time"]) for q in queries) * 1000, 1),
                "bytes": len(response.content) if hasattr(response, "content") else 0,
            }
        )


def main() -> None:
    name = sys.argv[1]
    env.configure(name)
    measure(name, int(env.meta_read(name).get("size", 0)))


if __name__ == "__main__":
    main()
