"""A customer's other conversations on the thread page, and merging one into another (issue 17,
point 1): messages, files, e-mails and events move, both threads keep their history, the
counters stay exact, and only employees who may see both threads can do it."""

import io

import pytest
from django.test import Client

from comptoir.mail.tests.test_process import mail, receive
from comptoir.testing import make_customer, make_thread
from comptoir.threads import arrivals, services
from comptoir.threads.messages import CustomerMessage, Upload
from comptoir.threads.models import (
    Attachment,
    EmailKind,
    EventKind,
    OutboundEmail,
    Source,
    Status,
    Thread,
    ThreadEvent,
)
from comptoir.threads.services import ThreadError
from comptoir.threads.tests.test_counters import assert_counters_equal_a_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(bob):
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture
def two(bob):
    """Alice's answered thread, and a second one opened by a message that proved nothing."""
    first = make_thread(email="alice@example.com", text="Where is my parcel?")
    services.thread_reply_with_files(
        thread=first,
        employee=bob,
        text="Here is the label.",
        uploads=[Upload(io.BytesIO(b"%PDF-1.4 label"), "label.pdf", "application/pdf")],
    )
    second = make_thread(email="alice@example.com", text="Also, my invoice?")
    return Thread.objects.get(pk=first.pk), Thread.objects.get(pk=second.pk)


def test_merging_moves_messages_files_emails_and_events_and_keeps_both_histories(bob, two):
    first, second = two
    source_events = set(second.events.values_list("pk", flat=True))
    services.thread_merge(source=first, target=second, employee=bob)
    first.refresh_from_db()
    second.refresh_from_db()
    assert list(second.messages.values_list("text", flat=True)) == [
        "Where is my parcel?",
        "Here is the label.",
        "Also, my invoice?",
    ]
    label = Attachment.objects.select_related("message").get(original_name="label.pdf")
    assert label.message is not None
    assert label.message.thread_id == second.pk
    assert OutboundEmail.objects.get(kind=EmailKind.REPLY).thread_id == second.pk
    assert source_events <= set(second.events.values_list("pk", flat=True))
    merged = second.events.get(kind=EventKind.MERGED)
    assert (merged.employee, merged.data["other"], merged.data["messages"]) == (bob, first.pk, 2)
    assert first.events.get(kind=EventKind.MERGED_INTO).data["other"] == second.pk
    assert (first.merged_into, first.status, first.message_count) == (second, Status.CLOSED, 0)
    assert not first.is_unread
    assert second.message_count == 3
    assert second.is_unread
    assert second.status == Status.OPEN
    assert second.last_message_excerpt == "Also, my invoice?"
    assert second.first_customer_message_at < second.first_response_at
    assert second.last_employee == bob
    assert_counters_equal_a_count("a merge")


def test_replies_to_the_merged_threads_emails_and_its_link_lead_to_the_target(bob, two):
    first, second = two
    our_id = first.messages.get(author="employee").message_id
    services.thread_merge(source=first, target=second, employee=bob)
    inbound = receive(mail(in_reply_to=our_id, references=our_id, body="Label received"))
    assert inbound.thread == second
    assert second.messages.filter(text="Label received").exists()
    page = Client().get(f"/contact/t/{first.link_secret}/").content.decode()
    assert "Also, my invoice?" in page
    assert_counters_equal_a_count("a reply into a merged thread")


def test_a_thread_cannot_be_merged_into_itself_nor_twice(bob, two):
    first, second = two
    with pytest.raises(ThreadError):
        services.thread_merge(source=first, target=first, employee=bob)
    services.thread_merge(source=first, target=second, employee=bob)
    third = make_thread(email="alice@example.com")
    with pytest.raises(ThreadError):
        services.thread_merge(source=first, target=third, employee=bob)
    with pytest.raises(ThreadError):
        services.thread_merge(source=third, target=first, employee=bob)


def test_threads_merged_into_the_source_earlier_lead_to_the_new_target(bob, two):
    first, second = two
    third = make_thread(email="alice@example.com", text="Third")
    services.thread_merge(source=first, target=second, employee=bob)
    services.thread_merge(source=second, target=third, employee=bob)
    assert Thread.objects.get(pk=first.pk).merged_into_id == third.pk
    assert third.messages.count() == 4
    assert_counters_equal_a_count("two merges")


def test_the_thread_page_lists_the_customers_other_conversations(desk, two):
    first, second = two
    alice = make_customer("Alice", email="alice@example.com")
    Thread.objects.filter(pk=second.pk).update(customer=alice)
    by_account = make_thread(email="alice.old@example.com", customer=alice, text="Old address")
    stranger = make_thread(email="zoe@example.com", text="Not Alice")
    Thread.objects.filter(pk=first.pk).update(customer=alice)
    page = desk.get(f"/desk/threads/{first.pk}/").content.decode()
    assert "Other conversations of this customer" in page
    assert f'href="/desk/threads/{second.pk}/"' in page
    assert f'href="/desk/threads/{by_account.pk}/"' in page
    assert "alice.old@example.com" in page
    assert f'href="/desk/threads/{stranger.pk}/"' not in page
    assert f'name="source" value="{second.pk}"' in page


def test_merging_from_the_page_asks_first_then_merges(desk, bob, two):
    first, second = two
    url = f"/desk/threads/{first.pk}/merge/"
    asked = desk.post(url, {"source": second.pk})
    assert asked.status_code == 200
    assert "Merge the conversations?" in asked.content.decode()
    assert Thread.objects.get(pk=second.pk).merged_into_id is None
    done = desk.post(url, {"source": second.pk, "confirm": "yes"})
    assert done.status_code == 302
    assert Thread.objects.get(pk=second.pk).merged_into_id == first.pk
    page = desk.get(f"/desk/threads/{first.pk}/").content.decode()
    assert f"Conversation #{second.pk} was merged into this one." in page
    merged_page = desk.get(f"/desk/threads/{second.pk}/").content.decode()
    assert "This conversation was merged into another one:" in merged_page


@pytest.mark.parametrize("source", ["", "abc", "999999", "99999999999999999999999"])
def test_merging_an_unknown_conversation_is_a_clear_refusal(desk, two, source):
    first, _second = two
    response = desk.post(f"/desk/threads/{first.pk}/merge/", {"source": source, "confirm": "yes"})
    assert response.status_code in (302, 404)
    assert not Thread.objects.filter(merged_into__isnull=False).exists()


def test_merging_into_itself_from_the_page_says_why(desk, two):
    first, _second = two
    url = f"/desk/threads/{first.pk}/merge/"
    response = desk.post(url, {"source": first.pk, "confirm": "yes"}, follow=True)
    assert "A conversation cannot be merged into itself." in response.content.decode()


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_agents_and_administrators_merge_anonymous_visitors_cannot(client, request, who, two):
    first, second = two
    url = f"/desk/threads/{first.pk}/merge/"
    anonymous = client.post(url, {"source": second.pk, "confirm": "yes"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/desk/login/")
    assert Thread.objects.get(pk=second.pk).merged_into_id is None
    client.force_login(request.getfixturevalue(who))
    assert client.post(url, {"source": second.pk, "confirm": "yes"}).status_code == 302
    assert Thread.objects.get(pk=second.pk).merged_into_id == first.pk


@pytest.mark.parametrize("others", [2, 30])
def test_the_other_conversations_cost_one_query_whatever_their_number(
    desk, others, django_assert_max_num_queries
):
    thread = make_thread(email="alice@example.com")
    for n in range(others):
        arrivals.thread_open(
            email="alice@example.com",
            incoming=CustomerMessage(text=f"other {n}", source=Source.FORM),
            language="en",
        )
    desk.get(f"/desk/threads/{thread.pk}/")
    with django_assert_max_num_queries(14):
        page = desk.get(f"/desk/threads/{thread.pk}/").content.decode()
    assert page.count('name="source"') == min(others, 10)


def test_merge_events_name_the_other_thread_in_the_timeline(desk, bob, two):
    first, second = two
    services.thread_merge(source=second, target=first, employee=bob)
    page = desk.get(f"/desk/threads/{first.pk}/").content.decode()
    assert f'<a href="/desk/threads/{second.pk}/">#{second.pk}</a>' in page
    assert ThreadEvent.objects.filter(kind=EventKind.MERGED_INTO, thread=second).exists()
