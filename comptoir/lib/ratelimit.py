"""Counters in the shared cache: they hold across web processes (and machines, with Redis)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def _key(scope: str, value: str) -> str:
    return f"rate:{scope}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def rate_exceeded(*, scope: str, value: str, limit: int, window: int) -> bool:
    """Count one more event for ``value``; True when it goes over ``limit`` in the window."""
    key = _key(scope, value)
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > limit
