"""Counts in a window, in one statement, on every database."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.ops.worker import Worker
from comptoir.threads.models import RateCounter
from comptoir.threads.rates import rate_counters_purge, rate_key, rates_count

pytestmark = pytest.mark.django_db


def test_each_key_counts_up_in_its_window(store_backend):
    assert rates_count({"a": 60, "b": 60}) == {"a": 1, "b": 1}
    assert rates_count({"a": 60}) == {"a": 2}
    assert rates_count({"b": 60, "a": 60}) == {"a": 3, "b": 2}


def test_several_keys_are_counted_in_one_statement_or_two_on_mariadb():
    with CaptureQueriesContext(connection) as queries:
        rates_count({"x": 60, "y": 60, "z": 60})
    assert len(queries) == (2 if connection.vendor == "mysql" else 1)


def test_an_ended_window_starts_again_at_one_with_a_new_expiry():
    rates_count({"k": 60})
    rates_count({"k": 60})
    RateCounter.objects.filter(key="k").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert rates_count({"k": 600}) == {"k": 1}
    row = RateCounter.objects.get(key="k")
    assert row.expires_at > timezone.now() + timedelta(seconds=500)
    # A running window keeps its expiry: counting does not extend it.
    before = row.expires_at
    assert rates_count({"k": 6000}) == {"k": 2}
    assert RateCounter.objects.get(key="k").expires_at == before


def test_keys_do_not_keep_the_address_in_clear():
    key = rate_key("email", "alice@example.com")
    assert key.startswith("email:")
    assert "alice" not in key
    assert len(key) <= 80


def test_the_worker_deletes_expired_counts_now_and_then():
    rates_count({"old": 60, "live": 60})
    RateCounter.objects.filter(key="old").update(expires_at=timezone.now() - timedelta(hours=1))
    worker = Worker(interval=0)
    worker.tidy()
    assert set(RateCounter.objects.values_list("key", flat=True)) == {"live"}
    RateCounter.objects.filter(key="live").update(expires_at=timezone.now() - timedelta(hours=1))
    worker.tidy()  # too soon: the next tidy is ten minutes away
    assert RateCounter.objects.count() == 1
    assert rate_counters_purge() == 1
