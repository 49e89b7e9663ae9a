"""The peer's search box, measured in-process like its other pages (``make bench-compare``).

The peer's own benchmark (``PEER_BENCH/run.sh``) measures its ticket list without a search. This
script adds the two rows comptoir's search is compared on: one word and three words typed in
the list's search box, which the peer sends as the list's ``search[value]`` (each field tested
with a case-insensitive substring match). It runs in the peer's environment, after its run,
on the data set that run left (``$PEERBENCH_DIR/db-<label>.pristine.sqlite3``):

    DJANGO_SETTINGS_MODULE=benchsite.settings PYTHONPATH=$PEERBENCH_DIR/site \\
    PEERBENCH_DB=$PEERBENCH_DIR/db-100k.pristine.sqlite3 $PEERBENCH_DIR/venv/bin/python \\
    bench/peer_search.py 100k

It prints JSON lines shaped as the peer's own (``step`` "client", ``page`` "search_one" and
"search_three"), so ``bench.compare`` reads them with the rest. The words are frequent in the
peer's generated text as "remboursement" and "colis arrivé abîmé" are in comptoir's: a product
name found in about one ticket title in fifteen, and a title's three words.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import django

WORDS = {"search_one": "refund", "search_three": "refund never arrived"}
COLUMNS = ["id", "ticket", "priority", "queue", "status", "created", "due_date"]
COLUMNS += ["assigned_to", "submitter", "last_followup", "kbitem"]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    rank = (len(ordered) - 1) * share
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _timed(request: Callable[[], Any], *, iterations: int, cap_seconds: float) -> list[float]:
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < iterations and (
        len(times) < 5 or time.perf_counter() - started < cap_seconds
    ):
        begin = time.perf_counter()
        request()
        times.append((time.perf_counter() - begin) * 1000)
    return times


def main() -> None:
    label = sys.argv[1] if len(sys.argv) > 1 else "run"
    iterations = int(os.environ.get("ITER", "30"))
    warm = int(os.environ.get("WARM", "2"))
    cap_seconds = float(os.environ.get("MAX_SECONDS", "25"))
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # as the peer's own in-process measurement does
    staff = Client()
    staff.force_login(get_user_model().objects.get(username="admin"))
    html = staff.get("/helpdesk/tickets/").content.decode()
    found = re.search(r"datatables_ticket_list/([A-Za-z0-9+/=]*)", html)
    if found is None:
        raise SystemExit("peer_search: the peer's ticket list has no data URL")
    url = "/helpdesk/datatables_ticket_list/" + found.group(1)
    base = {"draw": "1", "start": "0", "length": "25", "search[regex]": "false"}
    for number, column in enumerate(COLUMNS):
        base[f"columns[{number}][data]"] = column
        base[f"columns[{number}][searchable]"] = "true"
        base[f"columns[{number}][orderable]"] = "true" if number else "false"
    for page, words in WORDS.items():
        query = {**base, "search[value]": words}

        def request(query: dict[str, str] = query) -> Any:
            return staff.get(url, query)

        for _ in range(warm):
            request()
        with CaptureQueriesContext(connection) as captured:
            response = request()
            # Read inside the block: the request's start empties the connection's log, which
            # leaves the context's own count at zero once it ends.
            queries = len(list(captured.captured_queries))
        if response.status_code != 200:
            raise SystemExit(f"peer_search: {page} answered {response.status_code}")
        matches = json.loads(response.content)["recordsFiltered"]
        times = _timed(request, iterations=iterations, cap_seconds=cap_seconds)
        row = {
            "step": "client",
            "label": label,
            "page": page,
            "words": words,
            "matches": matches,
            "n": len(times),
            "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(_percentile(times, 0.95), 2),
            "queries": queries,
        }
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
