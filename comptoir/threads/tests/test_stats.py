"""The numbers of the customer service page: cheap to read whatever the size of the desk."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from comptoir.testing import make_thread
from comptoir.threads import services, stats
from comptoir.threads.models import Thread

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()


def _answered(count: int, bob) -> None:
    for n in range(count):
        thread = make_thread(email=f"s{count}x{n}@example.com")
        services.thread_reply(thread=thread, employee=bob, text="ok")


def test_the_average_first_response_is_computed_in_seconds_by_the_database(bob):
    thread = make_thread()
    asked = timezone.now() - timedelta(hours=3)
    services.thread_reply(thread=thread, employee=bob, text="ok")
    Thread.objects.filter(pk=thread.pk).update(first_customer_message_at=asked)
    seconds, messages = stats.kpi_averages_compute()
    assert seconds == pytest.approx(3 * 3600, abs=60)
    assert messages == 2.0


def test_the_30_day_averages_are_kept_a_few_minutes_then_recomputed(bob):
    _answered(1, bob)
    first = stats.kpis(stats.desk_statistics())
    _answered(2, bob)
    assert stats.kpis(stats.desk_statistics()) == first
    cache.delete(stats.KPI_CACHE_KEY)
    assert stats.kpis(stats.desk_statistics()).average_first_response is not None


def test_the_worker_keeps_the_averages_in_the_cache(bob, django_assert_num_queries):
    from comptoir.ops.worker import Worker

    _answered(1, bob)
    worker = Worker(interval=0)
    worker.kpis()
    kept = cache.get(stats.KPI_CACHE_KEY)
    assert kept is not None
    assert kept[0] is not None
    with django_assert_num_queries(1):  # the cache's read: nothing computed by the page
        assert stats.kpis(stats.desk_statistics({})).average_first_response is not None
    _answered(2, bob)
    cache.set(stats.KPI_CACHE_KEY, (1.0, 9.0), stats.KPI_CACHE_SECONDS)
    worker.kpis()  # too soon: the next refresh is minutes away
    assert cache.get(stats.KPI_CACHE_KEY) == (1.0, 9.0)
    worker.due.clear()  # as if minutes had passed
    worker.run_once()  # a step of the loop
    assert cache.get(stats.KPI_CACHE_KEY)[1] == 2.0


def test_pending_discussions_are_always_live(bob):
    make_thread()
    assert stats.kpis(stats.desk_statistics()).pending_discussions == 1
    make_thread(email="other@example.com")
    assert stats.kpis(stats.desk_statistics()).pending_discussions == 2


@pytest.mark.parametrize("count", [3, 40])
def test_the_statistics_block_runs_the_same_queries_at_any_size(
    bob, count, django_assert_num_queries
):
    _answered(count, bob)
    make_thread(email="unread@example.com")
    stats.kpis(stats.desk_statistics())  # the averages are cached from here on
    with django_assert_num_queries(3):  # counters, cached averages, contact boxes
        numbers = stats.desk_numbers()
    assert sum(box.unread for box in numbers.boxes) == 1
