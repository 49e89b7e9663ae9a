"""Snooze: a thread set aside leaves the list and comes back at its time through the worker
(open, unread, its assignee told), or earlier when the customer writes."""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from comptoir.notifications.models import Notification, NotificationKind
from comptoir.ops.worker import Worker
from comptoir.testing import logged_in_client, make_thread
from comptoir.threads import arrivals, services
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import EventKind, Source, Status, Thread, ThreadEvent
from comptoir.threads.snooze import snooze_presets, thread_snooze, threads_snooze_wake

pytestmark = pytest.mark.django_db


def snoozed(bob, charlie, *, hours=2, status=Status.CLOSED):
    thread = make_thread()
    services.thread_assign(thread=thread, employee=bob, assignee=charlie)
    services.thread_set_status(thread=thread, employee=bob, status=status)
    until = timezone.now() + timedelta(hours=hours)
    thread_snooze(thread=thread, employee=bob, until=until)
    Notification.objects.all().delete()
    return Thread.objects.get(pk=thread.pk), until


def listed(client, query=""):
    page = client.get(f"/desk/{query}").content.decode()
    return {int(pk) for pk in re.findall(r'name="ids" value="(\d+)"', page)}


def test_a_snoozed_thread_leaves_the_list_and_a_filter_shows_it(bob, charlie):
    thread, _until = snoozed(bob, charlie, status=Status.OPEN)
    awake = make_thread(email="zoe@example.com")
    client = logged_in_client(bob)
    assert listed(client) == {awake.pk}
    assert listed(client, "?snoozed=yes") == {thread.pk}
    assert listed(client, "?snoozed=all") == {thread.pk, awake.pk}
    page = client.get(f"/desk/threads/{thread.pk}/").content.decode()
    assert "Snoozed until" in page
    assert ThreadEvent.objects.filter(thread=thread, kind=EventKind.SNOOZED).exists()


def test_the_worker_brings_it_back_at_its_time_open_unread_and_its_assignee_told(bob, charlie):
    thread, until = snoozed(bob, charlie)
    assert threads_snooze_wake(now=until - timedelta(minutes=1)) == 0
    assert threads_snooze_wake(now=until) == 1
    thread.refresh_from_db()
    assert (thread.status, thread.is_unread, thread.snoozed_until) == (Status.OPEN, True, None)
    event = ThreadEvent.objects.filter(thread=thread).latest("pk")
    assert (event.kind, event.data["reason"]) == (EventKind.UNSNOOZED, "time")
    (notification,) = Notification.objects.all()
    assert (notification.employee, notification.kind) == (charlie, NotificationKind.SNOOZE_ENDED)
    assert threads_snooze_wake(now=until + timedelta(days=1)) == 0


def test_a_worker_round_wakes_what_is_due(bob, charlie, settings):
    thread, _until = snoozed(bob, charlie)
    Thread.objects.filter(pk=thread.pk).update(snoozed_until=timezone.now() - timedelta(seconds=1))
    Worker(interval=0).run_once()
    thread.refresh_from_db()
    assert (thread.status, thread.snoozed_until) == (Status.OPEN, None)


def test_the_customer_writing_brings_it_back_earlier(bob, charlie):
    thread, _until = snoozed(bob, charlie)
    arrivals.thread_receive(thread=thread, incoming=CustomerMessage("Hello?", Source.EMAIL))
    thread.refresh_from_db()
    assert (thread.status, thread.is_unread, thread.snoozed_until) == (Status.OPEN, True, None)
    kinds = list(ThreadEvent.objects.filter(thread=thread).values_list("kind", flat=True))
    assert EventKind.UNSNOOZED in kinds
    (notification,) = Notification.objects.all()
    assert notification.kind == NotificationKind.CUSTOMER_MESSAGE


def test_the_thread_page_snoozes_with_a_preset_or_a_time_and_brings_it_back(bob):
    thread = make_thread()
    client = logged_in_client(bob)
    response = client.post(f"/desk/threads/{thread.pk}/snooze/", {"preset": "tomorrow"})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.snoozed_until == snooze_presets()["tomorrow"]
    assert not thread.is_unread
    later = timezone.localtime() + timedelta(days=3)
    client.post(f"/desk/threads/{thread.pk}/snooze/", {"until": later.strftime("%Y-%m-%dT%H:%M")})
    thread.refresh_from_db()
    assert thread.snoozed_until == later.replace(second=0, microsecond=0)
    client.post(f"/desk/threads/{thread.pk}/unsnooze/")
    thread.refresh_from_db()
    assert thread.snoozed_until is None


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"until": "2001-01-01T10:00"}, "Choose a time in the future."),
        ({"until": "2999-01-01T10:00"}, "Choose a time within a year."),
        ({"until": "tomorrow"}, "Enter a valid date/time."),
        ({"preset": "someday"}, "Select a valid choice."),
        ({}, "Choose when the thread comes back."),
    ],
)
def test_a_time_that_cannot_be_used_is_refused_with_why(bob, data, error):
    thread = make_thread()
    client = logged_in_client(bob)
    response = client.post(f"/desk/threads/{thread.pk}/snooze/", data, follow=True)
    assert response.status_code == 200
    assert error in response.content.decode()
    thread.refresh_from_db()
    assert thread.snoozed_until is None


def test_the_presets_are_later_today_tomorrow_morning_and_next_monday():
    now = timezone.make_aware(datetime(2026, 12, 2, 10, 30))  # a Wednesday
    presets = snooze_presets(now)
    assert timezone.localtime(presets["later"]).hour == 13
    assert timezone.localtime(presets["tomorrow"]).strftime("%a %H:%M") == "Thu 08:00"
    assert timezone.localtime(presets["next_week"]).strftime("%d %a %H:%M") == "07 Mon 08:00"


def test_the_thread_page_with_its_snooze_box_runs_a_few_queries(
    bob, charlie, django_assert_max_num_queries
):
    thread, _until = snoozed(bob, charlie)
    client = logged_in_client(bob)
    client.get(f"/desk/threads/{thread.pk}/")
    with django_assert_max_num_queries(20):
        assert client.get(f"/desk/threads/{thread.pk}/").status_code == 200


def test_the_not_handled_tile_and_its_list_still_agree_with_a_snoozed_thread(bob, charlie):
    snoozed(bob, charlie, status=Status.PENDING1)
    make_thread(email="zoe@example.com")
    client = logged_in_client(bob)
    page = client.get("/desk/").content.decode()
    tile = re.search(r'<a class="kpi" href="([^"]*)">(.*?)</a>', page, re.S)
    assert tile
    assert re.search(r'kpi-value">2<', tile[2])
    assert len(listed(client, tile[1].replace("&amp;", "&"))) == 2


def test_the_views_counts_leave_snoozed_threads_out_like_their_lists(bob, charlie):
    from comptoir.threads import counters, stats
    from comptoir.threads.listing import apply_filters
    from comptoir.threads.snooze import thread_unsnooze

    def check(mine, all_open):
        counts = stats.view_counts(counters.counters_read(), employee_id=charlie.pk)
        for view in ("mine", "unassigned", "open", "pending", "closed"):
            kept = apply_filters(Thread.objects.all(), {"view": view}, employee=charlie)
            assert counts[view] == kept.count(), view
        assert (counts["mine"], counts["open"]) == (mine, all_open)
        recount = counters.thread_counters_count()
        values = counters.counters_read()
        assert {name: values.get(name, 0) for name in recount} == recount

    thread, _until = snoozed(bob, charlie, status=Status.OPEN)
    make_thread(email="zoe@example.com")
    check(mine=0, all_open=1)
    thread_unsnooze(thread=thread, employee=bob)
    check(mine=1, all_open=2)
