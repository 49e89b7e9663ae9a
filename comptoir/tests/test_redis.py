"""Issue 20: with COMPTOIR_REDIS_URL set, the cache, sessions, rate limits, sign-in throttling and
presence live in Redis and behave as they do on the database; without it, nothing touches Redis."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from comptoir.lib.redisconn import PREFIX, redis_client
from comptoir.staff.models import LoginThrottle
from comptoir.staff.throttle import (
    LOGIN_LOCK_SECONDS,
    login_failure_record,
    login_is_locked,
    login_success_record,
)
from comptoir.testing import logged_in_client, make_thread
from comptoir.threads import presence
from comptoir.threads.models import RateCounter, ThreadPresence
from comptoir.threads.rates import rate_counters_forget, rate_counters_held, rates_count

pytestmark = pytest.mark.django_db


def test_without_a_redis_url_nothing_is_kept_in_redis():
    assert settings.COMPTOIR_REDIS_URL == ""
    assert redis_client() is None
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_the_cache_works_the_same_on_both(store_backend: str):
    cache.set("greeting", {"text": "bonjour"}, 60)
    assert cache.get("greeting") == {"text": "bonjour"}
    assert cache.add("greeting-count", 0)
    assert cache.incr("greeting-count") == 1
    cache.delete("greeting")
    assert cache.get("greeting") is None


def test_a_session_survives_in_redis_and_in_the_database(redis_backend: Any, bob):
    desk = logged_in_client(bob)
    assert desk.get("/desk/").status_code == 200
    assert any(key.startswith(":1:django.contrib.sessions") for key in redis_backend.scan_iter())
    from django.contrib.sessions.models import Session

    assert Session.objects.count() == 1  # cached_db: written through, Redis can restart
    redis_backend.flushdb()
    assert desk.get("/desk/").status_code == 200  # read again from the database


def test_rate_counts_live_in_redis_with_the_window_set_by_the_first_event(redis_backend: Any):
    assert rates_count({"email:a": 600, "ip:b": 60}) == {"email:a": 1, "ip:b": 1}
    assert rates_count({"email:a": 6000}) == {"email:a": 2}
    assert not RateCounter.objects.exists()
    assert 590 <= redis_backend.ttl(f"{PREFIX}rate:email:a") <= 600  # not extended
    assert rate_counters_held(["email:a", "ip:b", "ip:c"]) == 2
    assert rate_counters_forget(["email:a", "ip:b"]) == 2
    assert rate_counters_held(["email:a", "ip:b"]) == 0


def test_a_person_s_rate_counts_are_found_and_forgotten_on_both(store_backend: str):
    rates_count({"email:x": 60, "email:y": 60})
    assert rate_counters_held(["email:x", "email:z"]) == 1
    rate_counters_forget(["email:x"])
    assert rate_counters_held(["email:x", "email:y"]) == 1


def test_sign_in_failures_lock_and_a_success_forgets_on_both(store_backend: str, bob):
    for _ in range(4):
        login_failure_record(email=bob.email, address="203.0.113.5")
    assert not login_is_locked(email=bob.email, address="203.0.113.5")
    login_failure_record(email=bob.email, address="203.0.113.5")
    assert login_is_locked(email=bob.email, address="203.0.113.5")
    assert not login_is_locked(email=bob.email, address="198.51.100.9")
    assert LoginThrottle.objects.filter(email=bob.email, failures=5).exists()  # listed
    login_success_record(email=bob.email, address="203.0.113.5")
    assert not login_is_locked(email=bob.email, address="203.0.113.5")


def test_sign_in_counts_in_redis_expire_with_the_lock(redis_backend: Any, bob):
    login_failure_record(email=bob.email, address="203.0.113.5")
    assert not LoginThrottle.objects.exists()  # under the limit: nothing in the database
    ttls = [redis_backend.ttl(key) for key in redis_backend.scan_iter(f"{PREFIX}login:*")]
    assert len(ttls) == 2  # the account from the address, and the address
    assert all(LOGIN_LOCK_SECONDS - 5 <= ttl <= LOGIN_LOCK_SECONDS for ttl in ttls)


def test_presence_is_the_same_on_both(store_backend: str, bob, charlie):
    thread, other = make_thread(), make_thread(email="other@example.com")
    presence.presence_touch(employee=charlie, thread_id=thread.pk)
    presence.presence_touch(employee=bob, thread_id=thread.pk, typing=True)
    (seen,) = presence.presence_for_thread(thread_id=thread.pk, employee=bob)
    assert (seen.employee, seen.typing) == (charlie, False)
    (seen,) = presence.presence_for_thread(thread_id=thread.pk, employee=charlie)
    assert (seen.employee, seen.typing) == (bob, True)
    presence.presence_touch(employee=bob, thread_id=thread.pk, typing=None)
    assert presence.presence_for_thread(thread_id=thread.pk, employee=charlie)[0].typing
    presence.presence_touch(employee=bob, thread_id=thread.pk, typing=False)
    assert not presence.presence_for_thread(thread_id=thread.pk, employee=charlie)[0].typing
    found = presence.presence_for_threads(thread_ids=[thread.pk, other.pk], employee=bob)
    assert list(found) == [thread.pk]
    charlie.is_active = False
    charlie.save()
    assert presence.presence_for_thread(thread_id=thread.pk, employee=bob) == []


def test_presence_in_redis_writes_no_row_and_expires(redis_backend: Any, bob, charlie):
    thread = make_thread()
    presence.presence_touch(employee=charlie, thread_id=thread.pk, typing=True)
    assert not ThreadPresence.objects.exists()
    kept = int(presence.KEPT_FOR.total_seconds())
    assert kept - 5 <= redis_backend.ttl(f"{PREFIX}presence:{thread.pk}:seen") <= kept


def test_the_list_s_presence_poll_reads_redis_in_one_query_for_names(
    redis_backend: Any, bob, charlie, django_assert_max_num_queries
):
    threads = [make_thread(email=f"c{n}@example.com") for n in range(12)]
    for thread in threads:
        presence.presence_touch(employee=charlie, thread_id=thread.pk, typing=True)
    desk = logged_in_client(bob)
    ids = ",".join(str(t.pk) for t in threads)
    desk.get(f"/desk/threads/presence/?ids={ids}")
    with django_assert_max_num_queries(6):
        polled = desk.get(f"/desk/threads/presence/?ids={ids}")
    assert polled.content.decode().count("is typing") == 12
    assert Client().get(f"/desk/threads/presence/?ids={ids}").status_code == 302
