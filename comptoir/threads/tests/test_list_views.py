"""The list's views (Mine, Unassigned, All open, Pending, Closed) with their counts, the saved
filters of each employee, the rows' refresh, and "Send and next"."""

import re

import pytest

from comptoir.testing import make_employee, make_thread
from comptoir.threads import services
from comptoir.threads.counters import counters_read, thread_counters_count
from comptoir.threads.listing import VIEWS, ListParams, apply_filters
from comptoir.threads.models import SavedFilter, Status, Thread

pytestmark = pytest.mark.django_db


def desk_of(bob, charlie):
    """Nine threads: Bob's (open, pending 1, closed), Charlie's (open), nobody's (two open, one
    pending 2, one closed), and one closed after being Bob's."""
    threads = [make_thread(email=f"t{n}@example.com") for n in range(9)]
    mine_open, mine_pending, mine_closed, charlies, _free, free2, free_pending, free_closed, was = (
        threads
    )
    for thread in (mine_open, mine_pending, mine_closed, was):
        services.thread_assign(thread=thread, employee=charlie, assignee=bob)
    services.thread_assign(thread=charlies, employee=charlie, assignee=charlie)
    services.thread_set_status(thread=mine_pending, employee=bob, status=Status.PENDING1)
    services.thread_set_status(thread=free_pending, employee=bob, status=Status.PENDING2)
    for thread in (mine_closed, free_closed, was):
        services.thread_set_status(thread=thread, employee=bob, status=Status.CLOSED)
    services.thread_reply(thread=free2, employee=bob, text="On its way", status_after=Status.OPEN)
    return threads


def counts_on(html: str) -> dict[str, int]:
    found = re.findall(r'href="\?view=(\w+)[^"]*"[^>]*>[^<]*<span class="view-count">(\d+)<', html)
    return {view: int(count) for view, count in found}


def test_each_view_shows_how_many_threads_it_holds_the_same_as_its_rows(client, bob, charlie):
    desk_of(bob, charlie)
    client.force_login(bob)
    html = client.get("/desk/").content.decode()
    counts = counts_on(html)
    assert counts == {"mine": 2, "unassigned": 3, "open": 4, "pending": 2, "closed": 3}
    for view in VIEWS:
        rows = client.get(f"/desk/?view={view}&size=300").context["page"].rows
        assert len(rows) == counts[view], view
    # Charlie's own "Mine".
    client.force_login(charlie)
    assert counts_on(client.get("/desk/").content.decode())["mine"] == 1


def test_the_views_counts_follow_every_change_and_equal_a_recount(client, bob, charlie):
    threads = desk_of(bob, charlie)
    services.threads_bulk_apply(threads=threads[4:6], employee=bob, assign=True, assignee=bob)
    services.thread_delete(thread=threads[0], employee=bob)
    stored, counted = counters_read(), thread_counters_count()
    names = {name for name in (*stored, *counted) if name.startswith("assigned:")}
    assert {name: stored.get(name, 0) for name in names} == {
        name: counted.get(name, 0) for name in names
    }
    client.force_login(bob)
    counts = counts_on(client.get("/desk/").content.decode())
    assert counts["mine"] == Thread.objects.filter(assignee=bob).exclude(status="closed").count()
    assert counts["unassigned"] == 1


def test_the_active_view_is_marked_and_keeps_the_order_but_not_the_other_filters(client, bob):
    make_thread()
    client.force_login(bob)
    html = client.get("/desk/?view=pending&q=parcel&sort=email&dir=asc").content.decode()
    assert 'class="view active" href="?view=pending&amp;sort=email&amp;dir=asc&amp;size=50"' in (
        html
    )
    assert 'aria-current="page"' in html
    assert 'href="?view=mine&amp;sort=email' in html


def test_an_unknown_view_is_named_and_shows_nothing(client, bob):
    make_thread()
    client.force_login(bob)
    response = client.get("/desk/?view=everything")
    assert response.status_code == 400
    assert "View — Select a valid choice." in response.content.decode()
    assert response.context["page"].rows == []


@pytest.mark.parametrize("count", [3, 60])
def test_the_views_cost_the_same_few_queries_whatever_the_number_of_threads(
    client, bob, count, django_assert_max_num_queries
):
    other = make_employee("Dora")
    for n in range(count):
        thread = make_thread(email=f"q{n}@example.com")
        if n % 2:
            services.thread_assign(thread=thread, employee=bob, assignee=bob if n % 4 else other)
    SavedFilter.objects.create(employee=bob, name="Parcels", query="q=parcel")
    client.force_login(bob)
    client.get("/desk/")
    for view in VIEWS:
        with django_assert_max_num_queries(16):
            assert client.get(f"/desk/?view={view}").status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get(f"/desk/threads/rows/?view={view}").status_code == 200


def test_the_mine_view_of_a_list_without_an_employee_keeps_nothing(bob):
    services.thread_assign(thread=make_thread(), employee=bob, assignee=bob)
    assert not apply_filters(Thread.objects.all(), {"view": "mine"}).exists()
    assert apply_filters(Thread.objects.all(), {"view": "mine"}, employee=bob).count() == 1


# --- saved filters -------------------------------------------------------------------------------


def test_an_employee_saves_the_current_filters_opens_and_deletes_them(client, bob):
    make_thread()
    client.force_login(bob)
    response = client.post(
        "/desk/filters/saved/",
        {"name": "Pending parcels", "query": "view=pending&q=parcel&sort=email&after=x&bogus=1"},
    )
    saved = SavedFilter.objects.get(employee=bob)
    # Read through the list's allow-lists: no cursor, no unknown key.
    assert saved.query == "view=pending&q=parcel&sort=email&dir=desc&size=50"
    assert response["Location"] == f"/desk/?{saved.query}"
    html = client.get("/desk/").content.decode()
    link = "?view=pending&amp;q=parcel&amp;sort=email&amp;dir=desc&amp;size=50"
    assert f'<a href="{link}">Pending parcels</a>' in html
    # The same name again replaces it.
    client.post("/desk/filters/saved/", {"name": "Pending parcels", "query": "view=closed"})
    assert list(SavedFilter.objects.values_list("name", "query")) == [
        ("Pending parcels", "view=closed&sort=id&dir=desc&size=50")
    ]
    response = client.post(f"/desk/filters/saved/{saved.pk}/delete/", {"back": "/desk/?view=mine"})
    assert response["Location"] == "/desk/?view=mine"
    assert not SavedFilter.objects.exists()


def test_saved_filters_are_each_employee_s_own(client, bob, charlie):
    theirs = SavedFilter.objects.create(employee=charlie, name="Charlie's", query="view=closed")
    client.force_login(bob)
    assert "Charlie&#x27;s" not in client.get("/desk/").content.decode()
    assert client.post(f"/desk/filters/saved/{theirs.pk}/delete/").status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()
    # Bob may use the same name for his own.
    client.post("/desk/filters/saved/", {"name": "Charlie's", "query": "view=mine"})
    assert SavedFilter.objects.filter(name="Charlie's").count() == 2


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "", "query": "view=mine"}, "Give the filter a name"),
        ({"name": "x" * 61, "query": "view=mine"}, "Give the filter a name"),
        ({"name": "Bad", "query": "view=nothing"}, "Correct the filters before saving them."),
        ({"name": "Bad", "query": "from=yesterday"}, "Correct the filters before saving them."),
    ],
)
def test_a_filter_that_cannot_be_saved_says_why(client, bob, data, error):
    client.force_login(bob)
    response = client.post("/desk/filters/saved/", data, follow=True)
    assert response.status_code in (200, 400)
    assert error in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_an_employee_keeps_at_most_thirty_saved_filters(client, bob):
    SavedFilter.objects.bulk_create(
        SavedFilter(employee=bob, name=f"F{n}", query="view=mine") for n in range(30)
    )
    client.force_login(bob)
    response = client.post("/desk/filters/saved/", {"name": "One more", "query": ""}, follow=True)
    assert "You can keep 30 saved filters" in response.content.decode()
    assert SavedFilter.objects.count() == 30


# --- the rows' refresh ---------------------------------------------------------------------------


def version_of(html: str) -> str:
    found = re.search(r'data-version="(\w+)"', html)
    assert found is not None
    return found.group(1)


def test_the_rows_fragment_answers_204_until_a_thread_changes(client, bob):
    thread = make_thread()
    client.force_login(bob)
    html = client.get("/desk/?view=open").content.decode()
    version = version_of(html)
    assert 'data-refresh="/desk/threads/rows/?view=open"' in html
    assert (
        client.get("/desk/threads/rows/", {"view": "open", "version": version}).status_code == 204
    )
    newer = make_thread(email="new@example.com")
    response = client.get("/desk/threads/rows/", {"view": "open", "version": version})
    fragment = response.content.decode()
    assert response.status_code == 200
    assert f'value="{newer.pk}"' in fragment
    assert f'value="{thread.pk}"' in fragment
    assert '<span class="view-count">2</span>' in fragment
    assert version_of(fragment) != version
    # Reading a thread (no write of the thread's row but its unread flag) is a change too.
    version = version_of(fragment)
    client.get(f"/desk/threads/{newer.pk}/")
    assert (
        client.get("/desk/threads/rows/", {"view": "open", "version": version}).status_code == 200
    )


def test_the_rows_fragment_of_a_bad_filter_is_a_400_not_an_error(client, bob):
    client.force_login(bob)
    assert client.get("/desk/threads/rows/", {"view": "x", "id": "abc"}).status_code == 400


# --- send and next -------------------------------------------------------------------------------


def test_send_and_next_goes_to_the_next_unanswered_thread_of_the_current_view(client, bob, charlie):
    first = make_thread(email="first@example.com")
    not_mine = make_thread(email="other@example.com")  # older than the next of Bob's
    second = make_thread(email="second@example.com")
    for thread in (first, second):
        services.thread_assign(thread=thread, employee=charlie, assignee=bob)
    services.thread_assign(thread=not_mine, employee=charlie, assignee=charlie)
    client.force_login(bob)
    client.get("/desk/?view=mine")
    response = client.post(
        f"/desk/threads/{first.pk}/reply/",
        {"text": "It left today.", "status_after": "closed", "then": "next"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/desk/threads/{second.pk}/"
    assert first.messages.filter(text="It left today.").exists()
    assert "The message was successfully sent" in response.content.decode()


def test_send_and_next_with_nothing_left_in_the_view_stays_and_says_so(client, bob):
    thread = make_thread()
    make_thread(email="unassigned@example.com")
    services.thread_assign(thread=thread, employee=bob, assignee=bob)
    client.force_login(bob)
    client.get("/desk/?view=mine")
    response = client.post(
        f"/desk/threads/{thread.pk}/reply/",
        {"text": "Done.", "status_after": "closed", "then": "next"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/desk/threads/{thread.pk}/"
    assert "No other unanswered message matches the list filter (View “Mine”)" in (
        response.content.decode()
    )


def test_the_reply_form_has_send_and_send_and_next(client, bob):
    thread = make_thread()
    client.force_login(bob)
    html = client.get(f"/desk/threads/{thread.pk}/").content.decode()
    assert 'id="reply-form"' in html
    assert 'name="then" value="next"' in html
    assert "Send and next" in html


def test_a_saved_query_is_the_list_s_parameters_without_a_cursor():
    from django.http import QueryDict

    params = ListParams.from_query(QueryDict("view=mine&before=abc&size=20"))
    assert params.saved_query == "view=mine&sort=id&dir=desc&size=20"


def test_the_rows_refresh_does_not_change_the_filter_next_unanswered_applies(client, bob):
    make_thread()
    client.force_login(bob)
    client.get("/desk/?view=mine")
    client.get("/desk/threads/rows/?view=closed")  # another tab's list, polling
    assert client.session["desk.list_filters"] == {"view": "mine"}


def test_the_rows_fragment_brings_the_pager_of_the_rows_it_shows(client, bob):
    # A thread arriving pushes a row onto the next page: the "Next" link swapped in with the rows
    # must start after the new last row, or that row would be on no page the agent can reach.
    for number in range(21):
        make_thread(email=f"c{number:02}@example.com")
    client.force_login(bob)
    html = client.get("/desk/?view=open&size=20").content.decode()
    assert 'id="thread-pager"' in html
    version = version_of(html)
    make_thread(email="new@example.com")
    response = client.get("/desk/threads/rows/", {"view": "open", "size": 20, "version": version})
    fragment = response.content.decode()
    pager = fragment[fragment.index('id="thread-pager"') :]
    next_url = re.search(r'href="(\?[^"]*after=[^"]*)"', pager)
    assert next_url is not None
    following = client.get("/desk/" + next_url.group(1).replace("&amp;", "&"))
    shown = following.content.decode()
    # Page 2 starts with the row page 1 no longer shows.
    assert "c01@example.com" in shown
    assert "c00@example.com" in shown
