"""The Redis connection, when ``COMPTOIR_REDIS_URL`` is set (issue 20).

Rate limits (``threads.rates``), sign-in throttling (``staff.throttle``) and presence
(``threads.presence``) each keep a database implementation and a Redis one behind the same
functions; each asks :func:`redis_client` at call time and uses the database when it answers
None. One connection pool per URL and process, shared by threads. Every key starts with
:data:`PREFIX`.
"""

from __future__ import annotations

import threading

import redis
from django.conf import settings

PREFIX = "comptoir:"
_pools: dict[str, redis.Redis] = {}
_lock = threading.Lock()


def redis_client() -> redis.Redis | None:
    """The client of ``COMPTOIR_REDIS_URL``, or None when it is not set."""
    url: str = getattr(settings, "COMPTOIR_REDIS_URL", "")
    if not url:
        return None
    client = _pools.get(url)
    if client is None:
        with _lock:
            client = _pools.get(url)
            if client is None:
                client = redis.Redis.from_url(
                    url, socket_timeout=5, socket_connect_timeout=5, decode_responses=True
                )
                _pools[url] = client
    return client
