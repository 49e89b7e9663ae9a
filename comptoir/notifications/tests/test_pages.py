"""The bell, the notifications page, marking read, and the choices page: each employee sees and
changes only their own, in a bounded number of queries."""

import pytest

from comptoir.notifications.models import Delivery, Notification, NotificationPreference
from comptoir.testing import logged_in_client, make_thread
from comptoir.threads import services

pytestmark = pytest.mark.django_db


def mention(thread, by, times=1):
    for n in range(times):
        services.thread_note(thread=thread, employee=by, text=f"@charlie look {n}")


def test_the_bell_counts_the_unread_ones(bob, charlie):
    mention(make_thread(), bob, times=3)
    page = logged_in_client(charlie).get("/desk/notifications/bell/").content.decode()
    assert '<span class="bell-count" aria-hidden="true">3</span>' in page
    assert "Bob Tester mentioned you in thread" in page
    empty = logged_in_client(bob).get("/desk/notifications/bell/").content.decode()
    assert "bell-count" not in empty


def test_every_desk_page_has_the_bell_without_a_query_for_it(bob, django_assert_max_num_queries):
    page = logged_in_client(bob).get("/desk/account/notifications/").content.decode()
    assert 'id="bell"' in page
    assert 'hx-get="/desk/notifications/bell/"' in page


def test_the_bell_and_the_list_run_a_few_queries_whatever_the_backlog(
    bob, charlie, django_assert_max_num_queries
):
    thread = make_thread()
    client = logged_in_client(charlie)
    for times in (2, 60):
        mention(thread, bob, times=times)
        with django_assert_max_num_queries(5):
            assert client.get("/desk/notifications/").status_code == 200
        with django_assert_max_num_queries(5):
            assert client.get("/desk/notifications/bell/").status_code == 200


def test_the_list_shows_fifty_then_the_older_ones(bob, charlie):
    mention(make_thread(), bob, times=55)
    client = logged_in_client(charlie)
    page = client.get("/desk/notifications/").content.decode()
    assert page.count('class="notification unread"') == 50
    assert "look 54" in page
    assert "look 4<" not in page
    older = page.split('href="?before=')[1].split('"')[0]
    rest = client.get(f"/desk/notifications/?before={older}").content.decode()
    assert rest.count('class="notification unread"') == 5
    assert client.get("/desk/notifications/?before=nonsense").status_code == 200


def test_opening_the_thread_marks_its_notifications_read(bob, charlie):
    thread, other = make_thread(), make_thread(email="zoe@example.com")
    mention(thread, bob)
    mention(other, bob)
    logged_in_client(charlie).get(f"/desk/threads/{thread.pk}/")
    unread = Notification.objects.filter(read_at__isnull=True)
    assert list(unread.values_list("thread_id", flat=True)) == [other.pk]


def test_marking_read_touches_only_one_s_own(bob, charlie):
    mention(make_thread(), bob, times=2)
    first, second = Notification.objects.order_by("pk")
    logged_in_client(bob).post("/desk/notifications/read/", {"ids": [first.pk]})
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    client = logged_in_client(charlie)
    client.post("/desk/notifications/read/", {"ids": [first.pk, "x"]})
    assert list(Notification.objects.filter(read_at__isnull=True)) == [second]
    client.post("/desk/notifications/read/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_choices_page_saves_each_kind_and_refuses_an_unknown_value(bob):
    client = logged_in_client(bob)
    assert client.get("/desk/account/notifications/").status_code == 200
    values = {
        "customer_message": "hourly",
        "assigned": "never",
        "mentioned": "daily",
        "snooze_ended": "now",
    }
    assert client.post("/desk/account/notifications/", values).status_code == 302
    saved = NotificationPreference.objects.get(employee=bob)
    assert (saved.customer_message, saved.assigned, saved.mentioned) == (
        Delivery.HOURLY,
        Delivery.NEVER,
        Delivery.DAILY,
    )
    bob.language = "fr"
    bob.save()
    refused = client.post("/desk/account/notifications/", {**values, "assigned": "sometimes"})
    assert refused.status_code == 400
    assert "Sélectionnez un choix valide" in refused.content.decode()
    assert NotificationPreference.objects.get(employee=bob).assigned == Delivery.NEVER


def test_the_account_page_links_to_the_choices(bob):
    page = logged_in_client(bob).get("/desk/preferences/").content.decode()
    assert 'href="/desk/account/notifications/"' in page


@pytest.mark.parametrize("path", ["/desk/notifications/", "/desk/account/notifications/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    assert client.get(path)["Location"].startswith("/desk/login/?next=")
    assert client.post("/desk/notifications/read/")["Location"].startswith("/desk/login/")
