"""Keyset pages shared by the desk's list and the API: cursors that only their own list accepts,
pages in both directions, and the condition the planner can start inside an index with."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from comptoir.lib.keyset import CursorInvalid, Keyset, cursor_encode, keyset_page
from comptoir.testing import make_thread
from comptoir.threads.models import Thread

pytestmark = pytest.mark.django_db

BY_EMAIL = Keyset("email")
BY_CHANGE = Keyset("updated_at")


def _threads(count: int) -> list[Thread]:
    threads = [make_thread(email=f"t{n % 4}@example.com") for n in range(count)]
    now = timezone.now()
    for n, thread in enumerate(threads):
        Thread.objects.filter(pk=thread.pk).update(updated_at=now - timedelta(hours=n // 3))
    return threads


def _ids(page_rows: list[Thread]) -> list[int]:
    return [thread.pk for thread in page_rows]


@pytest.mark.parametrize("keyset", [Keyset("id", descending=True), BY_EMAIL, BY_CHANGE])
def test_following_next_cursors_visits_every_row_once_in_order(keyset):
    _threads(11)
    expected = list(Thread.objects.order_by(*keyset.order()).values_list("pk", flat=True))
    seen: list[int] = []
    cursor = ""
    while True:
        page = keyset_page(Thread.objects.all(), keyset, limit=3, read=list, after=cursor)
        seen += _ids(page.rows)
        cursor = page.next_cursor
        if not cursor:
            break
    assert seen == expected


def test_the_previous_cursor_leads_back_to_the_page_before():
    _threads(10)
    first = keyset_page(Thread.objects.all(), BY_EMAIL, limit=4, read=list)
    second = keyset_page(
        Thread.objects.all(), BY_EMAIL, limit=4, read=list, after=first.next_cursor
    )
    back = keyset_page(
        Thread.objects.all(), BY_EMAIL, limit=4, read=list, before=second.previous_cursor
    )
    assert _ids(back.rows) == _ids(first.rows)
    assert back.previous_cursor == ""
    assert back.next_cursor == first.next_cursor


def test_the_first_page_has_no_previous_cursor_and_the_last_no_next_one():
    _threads(3)
    page = keyset_page(Thread.objects.all(), BY_EMAIL, limit=3, read=list)
    assert (page.previous_cursor, page.next_cursor) == ("", "")


@pytest.mark.parametrize(
    ("keyset", "cursor"),
    [
        (BY_CHANGE, cursor_encode([7])),  # a cursor of a list by id
        (Keyset("id"), cursor_encode(["2026-01-01T00:00:00+00:00", 7])),  # by time of change
        (BY_CHANGE, cursor_encode(["t@example.com", 7])),  # by e-mail address
        (BY_EMAIL, cursor_encode([3, 7])),  # a number where the address goes
        (Keyset("id"), cursor_encode([True])),
        (Keyset("id"), "!!not base64"),
        (Keyset("id"), cursor_encode([]) + "x"),
    ],
)
def test_a_cursor_the_list_did_not_make_is_refused(keyset, cursor):
    with pytest.raises(CursorInvalid):
        keyset_page(Thread.objects.all(), keyset, limit=3, read=list, after=cursor)


@pytest.mark.sqlite_only
def test_a_page_after_a_cursor_searches_the_sort_index_instead_of_scanning_it():
    threads = _threads(30)
    cursor = cursor_encode([Thread.objects.get(pk=threads[10].pk).updated_at, threads[10].pk])
    captured = []

    def keep(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        keyset_page(Thread.objects.all(), BY_CHANGE, limit=5, read=list, after=cursor)
    sql, values = captured[-1]
    with connection.cursor() as cursor_:
        cursor_.execute(f"EXPLAIN QUERY PLAN {sql}", values)
        plan = " ".join(str(row[-1]) for row in cursor_.fetchall())
    assert "SEARCH threads_thread USING INDEX thread_updated (updated_at>?)" in plan, plan
