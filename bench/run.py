"""``make bench``: generate the data set when needed, then measure everything in one run.

Usage: python -m bench.run [--size 100000 …] [--db sqlite|postgres|mariadb …] [--steps …] [--regen]
                           [--peer DIR [--peer-results FILE]]

Each step runs in its own process (``bench.generate``, ``bench.measure``, ``bench.http_load``,
``bench.ingest``); their JSON lines go to ``var/bench/results/results-<time>.jsonl`` and the
tables are printed at the end. A data set is generated once and reused by later runs (each run
adds the threads its contact-form posts and mail ingestion create: a few thousand at most);
``--regen`` starts it again.

``--peer DIR`` (``make bench-compare``) then runs the peer's benchmark (``DIR/run.sh``, which
installs django-helpdesk and measures it on the same data shape, on SQLite, at the same sizes)
and prints comptoir's times divided by the peer's; its search box is measured after its run, on
the data that run left (``bench.peer_search``). ``--peer-results FILE`` reuses a results file
of an earlier peer run instead (to check the comparison without waiting 20 minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

from bench import env

STEPS = ["client", "http", "ingest"]
MODULES = {"client": "bench.measure", "http": "bench.http_load", "ingest": "bench.ingest"}


def machine() -> dict[str, object]:
    """What the figures were measured on, with a CPU calibration to compare runs."""
    calibration = statistics.median(timeit.repeat("sum(range(1_000_000))", number=1, repeat=9))
    return {
        "step": "meta",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "cores": os.cpu_count(),
        "loadavg": round(os.getloadavg()[0], 2),
        "cpu_calib_sum1e6_ms": round(calibration * 1000, 2),
    }


def _pg_create(name: str, *, drop: bool) -> None:
    import psycopg

    database = env.pg_database(name)
    with psycopg.connect(f"{env.PG_SERVER}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if exists and drop:
            connection.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
        if not exists or drop:
            connection.execute(f'CREATE DATABASE "{database}"')


def _mariadb_create(name: str, *, drop: bool) -> None:
    """The data set's MariaDB database, in the character set and collation comptoir's tests
    create theirs with (``TEST`` in ``comptoir.lib.dburl``: utf8mb4, utf8mb4_unicode_ci)."""
    import pymysql

    from comptoir.lib.dburl import parse_database_url

    server = parse_database_url(f"{env.MARIADB_SERVER}/mysql", base_dir=env.REPO)
    database = env.mariadb_database(name)
    test = server["TEST"]
    connection = pymysql.connect(
        host=server["HOST"] or "127.0.0.1",
        port=int(server["PORT"] or 3306),
        user=server["USER"] or "root",
        password=server["PASSWORD"],
        charset="utf8mb4",
        autocommit=True,
    )
    with connection, connection.cursor() as cursor:
        if drop:
            cursor.execute(f"DROP DATABASE IF EXISTS `{database}`")
        cursor.execute(
            f"CREATE DATABASE IF NOT EXISTS `{database}`"
            f" CHARACTER SET {test['CHARSET']} COLLATE {test['COLLATION']}"
        )


def _database_create(db: str, name: str, *, drop: bool) -> None:
    if db == "postgres":
        _pg_create(name, drop=drop)
    elif db == "mariadb":
        _mariadb_create(name, drop=drop)


def _run(module: str, *args: str, out: Path) -> None:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", module, *args], stdout=subprocess.PIPE, text=True, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    with out.open("a") as handle:
        for line in lines:
            handle.write(line + "\n")
    env.log(
        f"{module} {' '.join(args)}: {len(lines)} results in {time.perf_counter() - started:.0f} s"
    )
    if done.returncode:
        raise SystemExit(f"bench: {module} failed (exit {done.returncode})")


def _migrate(name: str) -> None:
    """A data set made by an earlier version gets the migrations (indexes) added since."""
    command = [sys.executable, "-m", "comptoir.cli", "migrate", "--no-input", "-v0"]
    subprocess.run(command, env={**os.environ, **env.comptoir_env(name)}, check=True)


def dataset_ready(name: str, size: int, *, regen: bool) -> bool:
    meta = env.meta_read(name)
    return not regen and meta.get("size") == size and meta.get("threads") == size


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.run")
    parser.add_argument("--size", type=int, nargs="+", default=[100_000])
    parser.add_argument("--db", nargs="+", default=["sqlite"], choices=env.DATABASES)
    parser.add_argument("--steps", nargs="+", default=STEPS, choices=STEPS)
    parser.add_argument("--regen", action="store_true")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--peer", type=Path, help="the peer benchmark's folder (run.sh)")
    parser.add_argument("--peer-results", type=Path)
    options = parser.parse_args()
    results = env.BENCH_DIR / "results"
    results.mkdir(parents=True, exist_ok=True)
    out = options.out or results / f"results-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    with out.open("a") as handle:
        handle.write(json.dumps(machine()) + "\n")
    for db in options.db:
        for size in options.size:
            name = env.dataset(db, size)
            if not dataset_ready(name, size, regen=options.regen):
                shutil.rmtree(env.data_dir(name), ignore_errors=True)
                _database_create(db, name, drop=True)
                _run("bench.generate", name, str(size), out=out)
            else:
                _database_create(db, name, drop=False)
                _migrate(name)
            for step in options.steps:
                _run(MODULES[step], name, out=out)
    env.log(f"results: {out}")
    from bench.report import report, rows_read

    print(report(rows_read([str(out)])))
    if options.peer or options.peer_results:
        from bench.compare import compare

        theirs = options.peer_results or peer_run(options.peer, options.size)
        ours_rows, peer_rows = rows_read([str(out)]), rows_read([str(theirs)])
        for size in options.size:
            print(compare(ours_rows, peer_rows, size))
        env.log(f"peer results: {theirs}")


def peer_run(folder: Path, sizes: list[int]) -> Path:
    """Run the peer's benchmark at the same sizes; returns its results file."""
    work = Path(os.environ.get("PEERBENCH_DIR", Path(tempfile.gettempdir()) / "peerbench"))
    before = set((work / "results").glob("results-*.jsonl"))
    env.log(f"peer: {folder / 'run.sh'} at {sizes} (about 20 minutes at 100,000)")
    peer_env = {**os.environ, "SIZES": " ".join(map(str, sizes)), "PEERBENCH_DIR": str(work)}
    subprocess.run(["bash", str(folder / "run.sh")], env=peer_env, check=True)
    made = sorted(set((work / "results").glob("results-*.jsonl")) - before)
    if not made:
        raise SystemExit("bench: the peer's run wrote no results file")
    for size in sizes:
        peer_search(work, size, made[-1])
    return made[-1]


def peer_search(work: Path, size: int, results: Path) -> None:
    """The peer's search box at ``size`` (``bench.peer_search``), in the peer's environment, on
    the data its run left; the rows are added to its results file."""
    label = f"{size // 1000}k"
    database = work / f"db-{label}.pristine.sqlite3"
    if not database.exists():
        env.log(f"peer: no {database}, search not measured")
        return
    env.log(f"peer: search at {size:,}")
    peer_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchsite.settings",
        "PYTHONPATH": str(work / "site"),
        "PYTHONWARNINGS": "ignore",
        "PEERBENCH_DB": str(database),
    }
    script = Path(__file__).with_name("peer_search.py")
    with results.open("a") as handle:
        subprocess.run(
            [str(work / "venv" / "bin" / "python"), str(script), label],
            env=peer_env,
            cwd=work / "site",
            stdout=handle,
            check=True,
        )


if __name__ == "__main__":
    main()
