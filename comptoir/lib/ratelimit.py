"""Counters in the shared cache: they hold across web processes (and machines, with Redis)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def _key(scope: str, value: str) -> str:
    return f"rate:{scope}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def rate_exceeded(*, scope: str, value: str, limit: int, window: int) -> bool:
    """Count one more event for ``value``; True when it goes over ``limit`` in the window."""
    key = _key(scope, value)
    # Increment first: once an address has posted in the window that is one write, where
    # add-then-increment was two write transactions (and two cache-size checks) every time.
    try:
        count = cache.incr(key)
    except ValueError:  # the first event in the window
        count = 1
        if not cache.add(key, count, window):
            try:
                count = cache.incr(key)  # another process counted the first one meanwhile
            except ValueError:  # …and it expired at once
                cache.set(key, count, window)
    return count > limit
