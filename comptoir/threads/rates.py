"""Counting events in a time window, in the database: the contact form's rate limits and its
double-submit check.

They were kept in Django's cache; with the database cache (the default, no Redis) each count was
five statements in two transactions plus a count of the cache table, and a post made three
counts. Here one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` counts several keys (MariaDB: an
``ON DUPLICATE KEY UPDATE`` and a ``SELECT``). Web processes, the API and machines share it, as
they share the database.

With ``COMPTOIR_REDIS_URL`` set, the counts live in Redis instead (issue 20): per key, one
``SET key 0 EX window NX`` and one ``INCR`` in a ``MULTI``, so a window's expiry is set by its
first event and never extended; Redis forgets ended windows by itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from comptoir.lib.redisconn import PREFIX, redis_client
from comptoir.threads.models import RateCounter

_REDIS_KEY = PREFIX + "rate:"


def rate_key(scope: str, value: str) -> str:
    """A key that does not keep the value itself (an address, an IP) in clear."""
    return f"{scope}:{hashlib.sha256(value.encode()).hexdigest()[:64]}"[:80]


def rates_count(windows: Mapping[str, int]) -> dict[str, int]:
    """Count one more event for each key (``{key: window in seconds}``); returns each key's
    count in its current window (1: the first one)."""
    if not windows:
        return {}
    client = redis_client()
    if client is not None:
        return _redis_count(client, windows)
    now = timezone.now()
    field = RateCounter._meta.get_field("expires_at")
    stamp = field.get_db_prep_value(now, connection)
    keys = sorted(windows)  # the same order in every transaction: no deadlock between posts
    rows = [
        [key, 1, field.get_db_prep_value(now + timedelta(seconds=windows[key]), connection)]
        for key in keys
    ]
    quote = connection.ops.quote_name
    table, key, count, expires = (
        quote(name) for name in (RateCounter._meta.db_table, "key", "count", "expires_at")
    )
    values = ", ".join("(%s, %s, %s)" for _row in rows)
    params = [item for row in rows for item in row]
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            # Assignments run left to right: both tests read the row's old expiry.
            cursor.execute(
                f"INSERT INTO {table} ({key}, {count}, {expires}) VALUES {values} "  # noqa: S608 — quoted names only
                f"ON DUPLICATE KEY UPDATE {count} = IF({expires} < %s, 1, {count} + 1), "
                f"{expires} = IF({expires} < %s, VALUES({expires}), {expires})",
                [*params, stamp, stamp],
            )
            marks = ", ".join("%s" for _key in keys)
            cursor.execute(f"SELECT {key}, {count} FROM {table} WHERE {key} IN ({marks})", keys)  # noqa: S608
        else:
            cursor.execute(
                f"INSERT INTO {table} ({key}, {count}, {expires}) VALUES {values} "  # noqa: S608 — quoted names only
                f"ON CONFLICT ({key}) DO UPDATE SET "
                f"{count} = CASE WHEN {table}.{expires} < %s THEN 1 ELSE {table}.{count} + 1 END, "
                f"{expires} = CASE WHEN {table}.{expires} < %s "
                f"THEN excluded.{expires} ELSE {table}.{expires} END "
                f"RETURNING {key}, {count}",
                [*params, stamp, stamp],
            )
        return {str(found): int(n) for found, n in cursor.fetchall()}


def _redis_count(client: Any, windows: Mapping[str, int]) -> dict[str, int]:
    keys = sorted(windows)
    with client.pipeline(transaction=True) as pipe:
        for key in keys:
            pipe.set(_REDIS_KEY + key, 0, ex=max(1, windows[key]), nx=True)
            pipe.incr(_REDIS_KEY + key)
        results = pipe.execute()
    return {key: int(results[2 * i + 1]) for i, key in enumerate(keys)}


def rate_counters_held(keys: Iterable[str]) -> int:
    """How many of these keys have a count in a running window (a person's holdings)."""
    keys = list(keys)
    client = redis_client()
    if client is not None:
        return int(client.exists(*[_REDIS_KEY + key for key in keys])) if keys else 0
    return RateCounter.objects.filter(key__in=keys).count()


def rate_counters_forget(keys: Iterable[str]) -> int:
    """Delete the counts of these keys (a person erased)."""
    keys = list(keys)
    client = redis_client()
    forgotten = 0
    if client is not None and keys:
        forgotten = int(client.delete(*[_REDIS_KEY + key for key in keys]))
    deleted, _kinds = RateCounter.objects.filter(key__in=keys).delete()
    return forgotten + deleted


def rate_counters_purge() -> int:
    """Delete the counts whose window has ended (the worker, now and then)."""
    deleted, _kinds = RateCounter.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
