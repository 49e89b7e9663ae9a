"""Keyset pages on a sorted column: no gaps or repeats across ties, and a deep page costs what
the first one does."""

from datetime import timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from comptoir.testing import make_thread
from comptoir.threads.listing import ListParams, apply_filters, paginate
from comptoir.threads.models import Thread

pytestmark = pytest.mark.django_db


def _threads_with_ties(count: int) -> list[Thread]:
    threads = [make_thread(email=f"t{n}@example.com") for n in range(count)]
    now = timezone.now()
    for n, thread in enumerate(threads):
        # Three threads share each timestamp: the id decides between them.
        Thread.objects.filter(pk=thread.pk).update(last_message_at=now - timedelta(hours=n // 3))
    return threads


def _walk(query: str) -> list[int]:
    params = ListParams.from_query(QueryDict(query))
    seen: list[int] = []
    while True:
        page = paginate(apply_filters(Thread.objects.all(), params.filters), params)
        seen += [thread.pk for thread in page.rows]
        if not page.next_cursor:
            return seen
        params.after = page.next_cursor


@pytest.mark.parametrize("direction", ["desc", "asc"])
def test_pages_sorted_by_last_message_hold_every_thread_once(direction):
    _threads_with_ties(47)
    expected = list(
        Thread.objects.order_by(
            *(["-last_message_at", "-id"] if direction == "desc" else ["last_message_at", "id"])
        ).values_list("pk", flat=True)
    )
    assert _walk(f"sort=last_message&dir={direction}&size=20") == expected


def test_a_page_backwards_is_the_page_before():
    _threads_with_ties(47)
    params = ListParams.from_query(QueryDict("sort=last_message&size=20"))
    first = paginate(Thread.objects.all(), params)
    params.after = first.next_cursor
    second = paginate(Thread.objects.all(), params)
    params.after, params.before = "", second.previous_cursor
    assert [t.pk for t in paginate(Thread.objects.all(), params).rows] == [t.pk for t in first.rows]


def test_a_cursor_of_another_sort_shows_the_first_page():
    _threads_with_ties(25)
    by_id = ListParams.from_query(QueryDict("sort=id&size=20"))
    params = ListParams.from_query(QueryDict("sort=email&size=20"))
    params.after = paginate(Thread.objects.all(), by_id).next_cursor
    first = paginate(Thread.objects.all(), ListParams.from_query(QueryDict("sort=email&size=20")))
    assert [t.pk for t in paginate(Thread.objects.all(), params).rows] == [t.pk for t in first.rows]


@pytest.mark.sqlite_only
def test_a_deep_page_searches_the_index_instead_of_scanning_it():
    _threads_with_ties(30)
    params = ListParams.from_query(QueryDict("sort=last_message&size=20"))
    params.after = paginate(Thread.objects.all(), params).next_cursor
    threads = apply_filters(Thread.objects.all(), params.filters)
    captured = []

    def keep(execute, sql, params_, many, context):
        captured.append((sql, params_))
        return execute(sql, params_, many, context)

    with connection.execute_wrapper(keep):
        paginate(threads, params)
    sql, values = captured[-1]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", values)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "SEARCH threads_thread USING INDEX thread_last_message" in plan, plan
