"""The customer service page: numbers, contact boxes, the list and its actions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from comptoir.testing import default_contact, make_customer, make_employee, make_thread
from comptoir.threads import arrivals, services
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import Contact, EventKind, Source, Status, Thread, ThreadEvent

pytestmark = pytest.mark.django_db


def page(client, url="/desk/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def ids_on(client, url):
    response = client.get(url)
    return [thread.pk for thread in response.context["page"].rows]


def test_the_page_shows_kpis_boxes_legend_and_statistics(client, bob):
    first = make_thread(email="a@example.com")
    make_thread(email="b@example.com")
    services.thread_reply(thread=first, employee=bob, text="Answer")
    client.force_login(bob)
    html = page(client)
    for label in (
        "Threads not handled",
        "Average Response Time",
        "Messages per Thread",
        "Meaning of status",
        "Statistics",
        "Total threads",
        "Threads pending 1 or 2",
        "Total number of customer messages",
        "Total number of employee messages",
        "Unread threads",
        "Closed threads",
    ):
        assert label in html
    stats = client.get("/desk/").context["statistics"]
    assert (stats.total_threads, stats.closed_threads, stats.unread_threads) == (2, 1, 1)
    assert (stats.customer_messages, stats.employee_messages) == (2, 1)
    kpis = client.get("/desk/").context["kpis"]
    assert kpis.pending_discussions == 1
    assert kpis.messages_per_closed_thread == 2.0
    assert kpis.average_first_response is not None


def test_contact_boxes_count_unread_threads_and_link_to_the_oldest(client, bob):
    older = make_thread(email="old@example.com")
    make_thread(email="new@example.com")
    Thread.objects.filter(pk=older.pk).update(
        last_customer_message_at=timezone.now() - timedelta(hours=5)
    )
    client.force_login(bob)
    html = page(client)
    assert "2 new messages" in html
    assert f'href="/desk/threads/{older.pk}/">2 new messages' in html
    assert "No new messages" in html  # the Webmaster box


def test_a_contact_that_does_not_save_messages_has_no_box(client, bob):
    Contact.objects.filter(name__en="Webmaster").update(save_messages=False)
    client.force_login(bob)
    boxes = client.get("/desk/").context["boxes"]
    assert [box.contact.name["en"] for box in boxes] == ["Customer service"]


def test_the_list_shows_each_column(client, bob, alice):
    thread = make_thread(
        email="alice@example.com", customer=alice, text="Colis abîmé à la livraison"
    )
    services.thread_note(thread=thread, employee=bob, text="call back")
    client.force_login(bob)
    html = page(client)
    for value in (
        "Alice Doe",
        "alice@example.com",
        "Customer service",
        "English",
        "Open",
        "B. Tester",
        "Colis abîmé à la livraison",
        'aria-label="Has a private note"',
    ):
        assert value in html


def test_the_rows_escape_what_customers_wrote(client, bob):
    make_thread(email="x@example.com", text='<script>alert(1)</script> & "quotes"')
    client.force_login(bob)
    html = page(client)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;" in html


def test_a_former_employee_still_shows_on_the_threads_they_handled(
    client, bob, charlie, django_assert_max_num_queries
):
    thread = make_thread(email="old@example.com")
    services.thread_assign(thread=thread, employee=bob, assignee=charlie)
    client.force_login(bob)
    client.get("/desk/")
    # The list's 13 (test_drafts_presence counts them).
    with django_assert_max_num_queries(13):
        assert charlie.short_name in page(client)
    charlie.is_active = False
    charlie.save(update_fields=["is_active"])
    # Not among the employees the page's forms offer any more, so read apart: one query.
    with django_assert_max_num_queries(14):
        response = client.get("/desk/")
    assert charlie not in response.context["employees"]
    rows = response.content.decode().split("</tr>")
    row = next(row for row in rows if "old@" in row)
    assert charlie.short_name in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=closed", ["closed@example.com"]),
        ("status=pending", ["pending@example.com"]),
        ("email=PENDING", ["pending@example.com"]),
        ("language=fr", ["french@example.com"]),
        ("customer=doe", ["alice@example.com"]),
        ("message=remboursement", ["french@example.com"]),
        ("private=yes", ["closed@example.com"]),
        ("q=alice", ["alice@example.com"]),
        ("q=colis", ["french@example.com"]),
        ("contact=none", []),
    ],
)
@pytest.mark.django_db(transaction=True)  # MariaDB's FULLTEXT index sees committed rows
def test_filters(client, bob, alice, query, expected):
    make_thread(email="alice@example.com", customer=alice)
    closed = make_thread(email="closed@example.com")
    services.thread_note(thread=closed, employee=bob, text="note")
    services.thread_set_status(thread=closed, employee=bob, status=Status.CLOSED)
    pending = make_thread(email="pending@example.com")
    services.thread_set_status(thread=pending, employee=bob, status=Status.PENDING2)
    french = make_thread(email="french@example.com", language="fr", text="Je veux un remboursement")
    arrivals.thread_receive(
        thread=french, incoming=CustomerMessage(text="Mon colis est perdu", source=Source.EMAIL)
    )
    client.force_login(bob)
    response = client.get(f"/desk/?{query}")
    emails = sorted(thread.email for thread in response.context["page"].rows)
    assert emails == sorted(expected)


def test_filter_by_id_employee_and_dates(client, bob, charlie):
    first = make_thread(email="one@example.com")
    second = make_thread(email="two@example.com")
    services.thread_assign(thread=second, employee=bob, assignee=charlie)
    Thread.objects.filter(pk=first.pk).update(last_message_at=timezone.now() - timedelta(days=10))
    client.force_login(bob)
    assert ids_on(client, f"/desk/?id={first.pk}") == [first.pk]
    assert ids_on(client, "/desk/?id=abc") == []
    assert ids_on(client, f"/desk/?employee={charlie.pk}") == [second.pk]
    day = (timezone.now() - timedelta(days=10)).date().isoformat()
    assert ids_on(client, f"/desk/?from={day}&to={day}") == [first.pk]


def test_unknown_sort_and_filter_keys_are_ignored(client, bob):
    make_thread()
    client.force_login(bob)
    response = client.get("/desk/?sort=customer__password&status__in=x&email__regex=.*")
    assert response.status_code == 200
    assert response.context["params"].sort == "id"


def test_keyset_pages_walk_forwards_and_backwards_without_gaps(client, bob):
    threads = [make_thread(email=f"c{n}@example.com") for n in range(7)]
    client.force_login(bob)
    seen = []
    url = "/desk/?size=20&sort=id"
    # Page size 20 is the smallest choice: build more rows than two pages.
    for n in range(7, 45):
        threads.append(make_thread(email=f"c{n}@example.com"))
    response = client.get(url)
    while True:
        page_rows = response.context["page"]
        seen += [t.pk for t in page_rows.rows]
        if not page_rows.next_cursor:
            break
        response = client.get(f"{url}&after={page_rows.next_cursor}")
    assert seen == sorted((t.pk for t in threads), reverse=True)
    last = response.context["page"]
    back = client.get(f"{url}&before={last.previous_cursor}").context["page"]
    assert [t.pk for t in back.rows] == seen[20:40]


def test_sort_by_last_message_ascending(client, bob):
    a = make_thread(email="a@example.com")
    b = make_thread(email="b@example.com")
    Thread.objects.filter(pk=b.pk).update(last_message_at=timezone.now() - timedelta(days=3))
    client.force_login(bob)
    assert ids_on(client, "/desk/?sort=last_message&dir=asc") == [b.pk, a.pk]


def test_a_forged_cursor_shows_the_first_page(client, bob):
    make_thread()
    client.force_login(bob)
    assert len(ids_on(client, "/desk/?after=!!notbase64")) == 1


def test_bulk_status_change_records_an_event_per_thread(client, bob):
    threads = [make_thread(email=f"c{n}@example.com") for n in range(3)]
    client.force_login(bob)
    response = client.post(
        "/desk/threads/bulk/",
        {"action": "status:pending1", "ids": [t.pk for t in threads[:2]], "back": "/desk/"},
    )
    assert response.status_code == 302
    statuses = dict(Thread.objects.values_list("pk", "status"))
    assert statuses[threads[0].pk] == statuses[threads[1].pk] == Status.PENDING1
    assert statuses[threads[2].pk] == Status.OPEN
    assert ThreadEvent.objects.filter(kind=EventKind.STATUS).count() == 2


def test_bulk_assign(client, bob, charlie):
    thread = make_thread()
    client.force_login(bob)
    client.post(
        "/desk/threads/bulk/", {"action": "assign", "assignee": charlie.pk, "ids": [thread.pk]}
    )
    thread.refresh_from_db()
    assert thread.assignee == charlie


def test_bulk_delete_asks_for_confirmation_first(client, bob):
    threads = [make_thread(email=f"c{n}@example.com") for n in range(2)]
    client.force_login(bob)
    ids = [t.pk for t in threads]
    response = client.post("/desk/threads/bulk/", {"action": "delete", "ids": ids})
    assert response.status_code == 200
    assert "Delete selected items?" in response.content.decode()
    assert Thread.objects.count() == 2
    client.post("/desk/threads/bulk/", {"action": "delete", "ids": ids, "confirm": "yes"})
    assert Thread.objects.count() == 0


def test_bulk_never_redirects_off_site(client, bob):
    thread = make_thread()
    client.force_login(bob)
    response = client.post(
        "/desk/threads/bulk/",
        {"action": "status:closed", "ids": [thread.pk], "back": "https://evil.example/"},
    )
    assert response["Location"] == "/desk/"


def test_bulk_actions_need_a_post(client, bob):
    client.force_login(bob)
    assert client.get("/desk/threads/bulk/").status_code == 405


def test_the_live_fragment_announces_newer_threads(client, bob):
    first = make_thread(email="a@example.com")
    client.force_login(bob)
    assert "New messages have arrived" not in page(client, f"/desk/live/?newest={first.pk}")
    make_thread(email="b@example.com")
    html = page(client, f"/desk/live/?newest={first.pk}")
    assert "New messages have arrived" in html
    assert "2 new messages" in html


def test_the_page_polls_for_new_messages(client, bob):
    client.force_login(bob)
    html = page(client)
    assert 'hx-get="/desk/live/?newest=' in html
    assert 'hx-trigger="every 30s"' in html


def _fill(count: int, bob) -> None:
    contact = default_contact()
    employees = [bob, make_employee(f"Agent{count}")]
    for n in range(count):
        customer = make_customer(f"C{count}x{n}") if n % 2 else None
        thread = make_thread(email=f"q{count}x{n}@example.com", contact=contact, customer=customer)
        if n % 3 == 0:
            services.thread_reply(thread=thread, employee=employees[n % 2], text="ok")
        if n % 4 == 0:
            services.thread_assign(thread=thread, employee=bob, assignee=employees[n % 2])


@pytest.mark.parametrize("count", [3, 60])
def test_the_page_runs_a_bounded_number_of_queries(
    client, bob, count, django_assert_max_num_queries
):
    _fill(count, bob)
    client.force_login(bob)
    client.get("/desk/")  # warm the session and the desk settings row
    with django_assert_max_num_queries(16):
        assert client.get("/desk/?size=50").status_code == 200
    # Two more when searching: the excerpts around the words found (``listed_highlight``)
    # and, on SQLite, the index's words the word being typed begins (``search_prepare``).
    with django_assert_max_num_queries(18):
        assert client.get("/desk/?status=closed&sort=last_message&q=ok").status_code == 200


def test_the_page_has_one_live_region_polled_once(client, bob):
    make_thread(email="a@example.com")
    client.force_login(bob)
    html = page(client)
    assert html.count('id="live"') == 1
    assert html.count('hx-get="/desk/live/') == 1


def test_the_live_fragment_keeps_the_newest_thread_the_page_knew(client, bob):
    first = make_thread(email="a@example.com")
    client.force_login(bob)
    html = page(client, f"/desk/live/?newest={first.pk}")
    assert f'hx-get="/desk/live/?newest={first.pk}"' in html
    make_thread(email="b@example.com")
    # The second poll asks with what the first answered, and still announces the newer thread.
    assert "New messages have arrived" in page(client, f"/desk/live/?newest={first.pk}")


def test_a_list_sorted_otherwise_polls_with_the_newest_thread(client, bob):
    older = make_thread(email="a@example.com")
    newer = make_thread(email="b@example.com")
    client.force_login(bob)
    html = page(client, "/desk/?sort=id&dir=asc")
    assert f'hx-get="/desk/live/?newest={newer.pk}"' in html
    assert older.pk < newer.pk


def test_a_bad_newest_value_is_no_error(client, bob):
    client.force_login(bob)
    for value in ("", "abc", "-5", "99999999999999999999999"):
        response = client.get("/desk/live/", {"newest": value})
        assert response.status_code == 200
        assert "New messages have arrived" not in response.content.decode()
