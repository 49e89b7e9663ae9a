"""Where a benchmark data set lives, and the environment comptoir runs with against it.

A data set is named by database and size (``sqlite-100k``); it has its own comptoir data folder
(secret key, attachments, the SQLite file) under ``BENCH_DIR`` and a ``meta.json`` written by the
generator (what was generated, and the rows the measurements use). Call ``configure()`` before
``django.setup()``: the settings are read from the environment once.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(os.environ.get("BENCH_DIR", REPO / "var" / "bench"))
# The PostgreSQL server; each data set has its own database, comptoir_bench_<size> (the prefix
# from BENCH_PG_PREFIX, so that two checkouts on one server keep their data sets apart).
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "comptoir_bench_")
# The MariaDB server, the same way: database <BENCH_MARIADB_PREFIX><size>.
MARIADB_SERVER = os.environ.get("BENCH_MARIADB_SERVER", "mysql://root@127.0.0.1:3306")
MARIADB_PREFIX = os.environ.get("BENCH_MARIADB_PREFIX", "comptoir_bench_")
DATABASES = ("sqlite", "postgres", "mariadb")


def size_label(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def dataset(db: str, size: int) -> str:
    return f"{db}-{size_label(size)}"


def pg_database(name: str) -> str:
    return PG_PREFIX + name.split("-", 1)[1].lower()


def mariadb_database(name: str) -> str:
    return MARIADB_PREFIX + name.split("-", 1)[1].lower()


def database_url(name: str) -> str:
    """COMPTOIR_DATABASE_URL for a data set (``sqlite-…``, ``postgres-…`` or ``mariadb-…``)."""
    db = name.split("-", 1)[0]
    if db == "postgres":
        return f"{PG_SERVER}/{pg_database(name)}"
    if db == "mariadb":
        return f"{MARIADB_SERVER}/{mariadb_database(name)}"
    if db == "sqlite":
        return f"sqlite:///{data_dir(name)}/db.sqlite3"
    raise SystemExit(f"bench: unknown database {db!r} ({', '.join(DATABASES)})")


def data_dir(name: str) -> Path:
    return BENCH_DIR / name


def comptoir_env(name: str) -> dict[str, str]:
    """The COMPTOIR_* variables of a data set (also given to gunicorn and the ingest worker)."""
    folder = data_dir(name)
    return {
        "COMPTOIR_DATA_DIR": str(folder),
        "COMPTOIR_DATABASE_URL": database_url(name),
        "COMPTOIR_EMAIL_URL": f"file:///{folder}/sent-mail",
        "COMPTOIR_LOG_LEVEL": "WARNING",
        "COMPTOIR_DEBUG": "false",
        "COMPTOIR_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # The spam and rate-limit checks still run on every post; only their limits are raised,
        # so a benchmark posting thousands of messages from one address is not refused.
        "COMPTOIR_CONTACT_MIN_FILL_SECONDS": "0",
        "COMPTOIR_CONTACT_RATE_PER_IP": "100000000",
        "COMPTOIR_CONTACT_RATE_PER_EMAIL": "100000000",
    }


def configure(name: str) -> None:
    """Point this process at a data set, then set Django up."""
    data_dir(name).mkdir(parents=True, exist_ok=True)
    os.environ.update(comptoir_env(name))
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings"
    import django

    django.setup()


def meta_path(name: str) -> Path:
    return data_dir(name) / "meta.json"


def meta_read(name: str) -> dict[str, Any]:
    path = meta_path(name)
    return json.loads(path.read_text()) if path.exists() else {}


def meta_write(name: str, meta: dict[str, Any]) -> None:
    meta_path(name).write_text(json.dumps(meta, indent=1))


def emit(record: dict[str, Any]) -> None:
    """One result as a JSON line on stdout (the driver appends it to the results file)."""
    print(json.dumps({"product": "comptoir", "at": round(time.time()), **record}), flush=True)


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (what the peer's scripts use too)."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def median(values: list[float]) -> float:
    return statistics.median(values)
