"""COMPTOIR_DATABASE_URL → a Django DATABASES entry.

Accepted forms::

    sqlite:///relative/or/absolute/path.sqlite3   (sqlite:////abs/path for an absolute path)
    postgres://user:password@host:5432/name       (also postgresql://; host may be a socket dir)
    mysql://user:password@host:3306/name          (also mariadb://)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


class DatabaseUrlError(ValueError):
    pass


SQLITE_INIT = ";".join(
    [
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA busy_timeout=20000",
        "PRAGMA cache_size=-32000",
        "PRAGMA temp_store=MEMORY",
        # Deleted rows are overwritten with zeros, not left in free pages (a person's data
        # erased is gone from the file: docs/DECISIONS.md, issue 22).
        "PRAGMA secure_delete=ON",
    ]
)


def parse_database_url(url: str, *, base_dir: Path) -> dict[str, Any]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise DatabaseUrlError(f"not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    options = dict(parse_qsl(parts.query))
    if scheme == "sqlite":
        raw_path = unquote(parts.path)
        if parts.netloc or not raw_path.strip("/"):
            raise DatabaseUrlError("expected sqlite:///path/to/file.sqlite3")
        # sqlite:///var/db.sqlite3 is relative, sqlite:////abs/db.sqlite3 absolute.
        path = Path(raw_path[1:]) if raw_path.startswith("/") else Path(raw_path)
        if not path.is_absolute():
            path = base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {
                # Writers take the lock when their transaction starts, so two writers queue
                # behind the busy timeout instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": SQLITE_INIT,
            },
            # A file, not ":memory:": tests then see WAL, locking and several connections as
            # the real thing does.
            "TEST": {"NAME": options.get("test_name") or str(path.with_name(f"test_{path.name}"))},
        }
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise DatabaseUrlError("the URL has no database name (…/name at the end)")
    common: dict[str, Any] = {
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": unquote(parts.hostname or options.pop("host", "")),
        "PORT": str(port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
    if scheme in {"postgres", "postgresql"}:
        return {**common, "ENGINE": "django.db.backends.postgresql", "OPTIONS": options}
    if scheme in {"mysql", "mariadb"}:
        return {
            **common,
            "ENGINE": "django.db.backends.mysql",
            "OPTIONS": {
                "charset": "utf8mb4",
                "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
                "isolation_level": "read committed",
                **options,
            },
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    raise DatabaseUrlError(f"unsupported scheme {scheme!r} (expected sqlite, postgres or mysql)")
