"""comptoir against the peer (django-helpdesk) measured in the same run: ratios of times.

Usage: python -m bench.compare COMPTOIR.jsonl PEER.jsonl [SIZE]

A ratio is comptoir's time ÷ the peer's time for the equivalent page (below 1: comptoir is
faster); for throughput (requests/s, messages/s) it is the peer's rate ÷ comptoir's, i.e. again
time per request. Both products were measured on the same machine in one run, so the ratios
hold even when the machine is noisy. The peer only runs on SQLite.
"""

from __future__ import annotations

import sys
from typing import Any

from bench import env
from bench.report import BUDGETS_MS, latest, rows_read

# (row, comptoir page, peer page). The peer's list is a page shell plus a JSON request for the
# rows; its rows are compared with comptoir's whole page (KPIs, statistics and contact boxes
# included). Its dashboard (statistics and the agent's ticket lists) is compared with
# comptoir's statistics block in-process, and with the whole customer service page over HTTP.
IN_PROCESS = [
    ("customer service page, first page", "desk_first", "ticket_list_json"),
    ("customer service page, deep page", "desk_deep", "ticket_list_json_deep"),
    ("thread page", "thread", "ticket_detail"),
    ("statistics / KPIs", "statistics", "dashboard"),
    # The search box (the peer's rows: bench.peer_search, its list's search[value]).
    ("search, one word", "desk_search", "search_one"),
    ("search, three words", "desk_search_words", "search_three"),
    ("contact form GET", "contact_get", "submit_form_get"),
    ("contact form POST", "contact_post", "submit_post"),
]
OVER_HTTP = [
    ("customer service page, first page", "desk_first", "ticket_list_json"),
    ("thread page", "thread", "ticket_detail"),
    ("dashboard ↔ customer service page", "desk_first", "dashboard"),
    ("contact form POST", "contact_post", "submit_post"),
]


def _peer(rows: list[dict[str, Any]], step: str, label: str) -> dict[str, dict[str, Any]]:
    return {
        r["page"]: r
        for r in rows
        if r.get("step") == step and r.get("label") == label and "page" in r
    }


def _label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def _verdict(ratio: float | None, page: str, median: float | None) -> str:
    if ratio is None:
        return ""
    ahead = ratio < 1
    budget = BUDGETS_MS.get(page)
    within = budget is None or (median is not None and median <= budget)
    return "ahead" if ahead and within else ("ahead, over budget" if ahead else "BEHIND")


def compare(ours: list[dict[str, Any]], theirs: list[dict[str, Any]], size: int) -> str:
    # comptoir names its data set as env.dataset does ("sqlite-1M"), the peer by thousands.
    name, label = env.dataset("sqlite", size), _label(size)
    client, http = latest(ours, "client"), latest(ours, "http")
    peer_client, peer_http = _peer(theirs, "client", label), _peer(theirs, "http", label)
    out = [
        f"### comptoir ÷ django-helpdesk at {size:,} threads / tickets (SQLite, same run)",
        "",
        "| | comptoir | peer | comptoir ÷ peer | |",
        "|---|---:|---:|---:|---|",
    ]
    for row, mine, peer_page in IN_PROCESS:
        a, b = client.get((name, mine)), peer_client.get(peer_page)
        ratio = a["median_ms"] / b["median_ms"] if a and b and b["median_ms"] else None
        out.append(
            f"| {row}, in-process median ms (queries) | "
            + (f"{a['median_ms']} ({a['queries']})" if a else "–")
            + " | "
            + (f"{b['median_ms']} ({b['queries']})" if b else "–")
            + f" | {f'{ratio:.3f}' if ratio is not None else '–'} | "
            + _verdict(ratio, mine, a["median_ms"] if a else None)
            + " |"
        )
    for row, mine, peer_page in OVER_HTTP:
        a, b = http.get((name, mine)), peer_http.get(peer_page)
        ratio = b["rps"] / a["rps"] if a and b and a["rps"] else None
        out.append(
            f"| {row}, HTTP req/s (p50 ms) | "
            + (f"{a['rps']} ({a['p50_ms']})" if a else "–")
            + " | "
            + (f"{b['rps']} ({b['p50_ms']})" if b else "–")
            + f" | {f'{ratio:.3f}' if ratio is not None else '–'} | "
            + ("ahead" if ratio is not None and ratio < 1 else ("BEHIND" if ratio else ""))
            + " |"
        )
    mine_ingest = latest(ours, "ingest").get((name, ""))
    peer_ingest = next(
        (r for r in reversed(theirs) if r.get("step") == "ingest" and r.get("label") == label),
        None,
    )
    if mine_ingest and peer_ingest:
        ratio = peer_ingest["msgs_per_s"] / mine_ingest["msgs_per_s"]
        out.append(
            f"| mail ingestion, messages/s (peak MB) | {mine_ingest['msgs_per_s']} "
            f"({mine_ingest['peak_rss_mb']}) | {peer_ingest['msgs_per_s']} "
            f"({peer_ingest['peak_rss_mb']}) | {ratio:.3f} | "
            + ("ahead" if ratio < 1 else "BEHIND")
            + " |"
        )
    return "\n".join([*out, ""])


def main() -> None:
    ours, theirs = rows_read([sys.argv[1]]), rows_read([sys.argv[2]])
    sizes = (
        [int(sys.argv[3])]
        if len(sys.argv) > 3
        else sorted(
            {r["size"] for r in ours if r.get("step") == "client" and r.get("db") == "sqlite"}
        )
    )
    for size in sizes:
        print(compare(ours, theirs, size))


if __name__ == "__main__":
    main()
