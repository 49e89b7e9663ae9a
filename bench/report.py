"""Results (JSON lines) → Markdown tables, with the speed budgets checked.

Usage: python -m bench.report RESULTS.jsonl [MORE.jsonl …]

A later line for the same data set and page replaces an earlier one, so several runs can be
given and the newest figures win.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

PAGES = [
    ("ping", "ping (/healthz)"),
    ("desk_first", "customer service page, first page"),
    ("desk_view", "customer service page, the Unassigned view"),
    ("desk_poll", "the list's refresh, nothing changed (204)"),
    ("desk_deep", "customer service page, filtered + sorted, half-way down"),
    ("desk_search", "customer service page, search, one word"),
    ("desk_search_words", "customer service page, search, three words"),
    ("desk_search_newest", "customer service page, search, one word, newest first"),
    ("thread", "thread page (50 messages)"),
    ("statistics", "statistics / KPIs block"),
    ("statistics_cold", "statistics / KPIs block, averages not cached (no worker running)"),
    ("order", "order page"),
    ("contact_get", "contact form GET"),
    ("contact_post", "contact form POST"),
]
# In-process median budgets at 100,000 threads on SQLite (ms).
BUDGETS_MS = {
    "desk_first": 20,
    "desk_view": 20,
    "desk_deep": 20,
    "thread": 15,
    "statistics": 30,
    "contact_post": 10,
    # The budgets at 10^6 threads (the full-text index), held at every size.
    "desk_search": 30,
    "desk_search_words": 50,
    "desk_search_newest": 30,
}
INGEST_MIN_RATE = 500
INGEST_MAX_RSS_MB = 150
SCALE_LIMIT = 1.5


def rows_read(paths: list[str]) -> list[dict[str, Any]]:
    rows = []
    for path in paths:
        for line in Path(path).read_text().splitlines():
            if line.strip().startswith("{"):
                rows.append(json.loads(line))
    return rows


def latest(rows: list[dict[str, Any]], step: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(data set, page) → the last line of that step."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        if row.get("step") == step and row.get("product", "comptoir") == "comptoir":
            found[(row["dataset"], row.get("page", ""))] = row
    return found


def datasets(rows: list[dict[str, Any]]) -> list[str]:
    names = {r["dataset"]: r.get("size", 0) for r in rows if "dataset" in r}
    return sorted(names, key=lambda n: (n.split("-")[0] != "sqlite", names[n], n))


def _budget(dataset: str, page: str, median: float) -> str:
    limit = BUDGETS_MS.get(page)
    if limit is None or dataset != "sqlite-100k":
        return ""
    return f"≤ {limit}: {'met' if median <= limit else 'MISSED'}"


def dataset_tables(rows: list[dict[str, Any]], name: str) -> list[str]:
    client, http = latest(rows, "client"), latest(rows, "http")
    out = [f"### {name}", ""]
    generated = [r for r in rows if r.get("step") == "generate" and r.get("dataset") == name]
    if generated:
        g = generated[-1]
        out += [
            f"Generated {g['threads']:,} threads and {g['messages']:,} messages "
            f"in {g['seconds']} s.",
            "",
        ]
    out += [
        "| page | SQL queries | in-process median ms | p95 ms | CPU ms | budget | HTTP req/s "
        "[min–max] | HTTP p50 ms | HTTP p95 ms |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for page, label in PAGES:
        c, h = client.get((name, page)), http.get((name, page))
        if not c and not h:
            continue
        cells = [label]
        cells += (
            [str(c["queries"]), str(c["median_ms"]), str(c["p95_ms"]), str(c.get("cpu_median_ms"))]
            if c
            else ["–"] * 4
        )
        cells.append(_budget(name, page, c["median_ms"]) if c else "")
        if h:
            errors = f" ({h['errors']} errors)" if h.get("errors") else ""
            cells += [f"{h['rps']} [{h['rps_min']}–{h['rps_max']}]{errors}"]
            cells += [str(h["p50_ms"]), str(h["p95_ms"])]
        else:
            cells += ["–"] * 3
        out.append("| " + " | ".join(cells) + " |")
    ingest = latest(rows, "ingest").get((name, ""))
    if ingest:
        rate, rss = ingest["msgs_per_s"], ingest["peak_rss_mb"]
        verdict = ""
        if name == "sqlite-100k":
            ok = rate >= INGEST_MIN_RATE and rss is not None and rss <= INGEST_MAX_RSS_MB
            verdict = (
                f" (budget ≥ {INGEST_MIN_RATE} msg/s, ≤ {INGEST_MAX_RSS_MB} MB: "
                f"{'met' if ok else 'MISSED'})"
            )
        out += [
            "",
            f"Mail ingestion: {ingest['handled']} messages in {ingest['seconds']} s = "
            f"**{rate} messages/s** ({ingest['msgs_per_s_with_start']} with the process start, "
            f"{ingest.get('msgs_per_cpu_s')} per CPU second), "
            f"peak worker memory **{rss} MB**{verdict}; outcome {ingest['outcome']}, "
            f"{ingest['new_threads']} new threads.",
        ]
    return [*out, ""]


def scale_table(rows: list[dict[str, Any]]) -> list[str]:
    """Each page at 10^6 threads against its 10^5 figure (SQLite)."""
    client = latest(rows, "client")
    small, large = "sqlite-100k", "sqlite-1M"
    if not any(k[0] == large for k in client) or not any(k[0] == small for k in client):
        return []
    out = [
        f"### {large} against {small} (limit {SCALE_LIMIT}×)",
        "",
        "| page | queries 10^5 → 10^6 | median ms 10^5 → 10^6 | ratio | |",
        "|---|---|---|---:|---|",
    ]
    for page, label in PAGES:
        a, b = client.get((small, page)), client.get((large, page))
        if not a or not b:
            continue
        ratio = b["median_ms"] / a["median_ms"] if a["median_ms"] else 0
        verdict = "met" if ratio <= SCALE_LIMIT else "MISSED"
        out.append(
            f"| {label} | {a['queries']} → {b['queries']} | {a['median_ms']} → "
            f"{b['median_ms']} | {ratio:.2f} | {verdict} |"
        )
    return [*out, ""]


def report(rows: list[dict[str, Any]]) -> str:
    out: list[str] = []
    for meta in [r for r in rows if r.get("step") == "meta"][-1:]:
        out += [
            "Machine: " + ", ".join(f"{k}={v}" for k, v in meta.items() if k != "step"),
            "",
        ]
    for name in datasets(rows):
        out += dataset_tables(rows, name)
    out += scale_table(rows)
    return "\n".join(out)


def main() -> None:
    print(report(rows_read(sys.argv[1:])))


if __name__ == "__main__":
    main()
