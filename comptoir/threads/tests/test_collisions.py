"""Two employees on one thread: nothing is sent over news the sender has not seen (issue 18)."""

import html
import re

import pytest
from django.test import Client

from comptoir.testing import make_thread
from comptoir.threads import arrivals, services
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import EmailKind, Message, OutboundEmail, Source, Status
from comptoir.threads.news import Seen, thread_seen

pytestmark = pytest.mark.django_db


def desk_of(employee) -> Client:
    client = Client()
    client.force_login(employee)
    return client


def seen_on_page(client: Client, thread_id: int) -> str:
    page = client.get(f"/desk/threads/{thread_id}/").content.decode()
    match = re.search(r'name="seen" value="([0-9.]+)"', page)
    assert match, "the reply form carries what its page showed"
    return match.group(1)


def replies(thread) -> int:
    return OutboundEmail.objects.filter(thread=thread, kind=EmailKind.REPLY).count()


# --- the service rule ----------------------------------------------------------------------------


def test_the_service_sends_nothing_when_a_customer_message_arrived_since(bob):
    thread = make_thread()
    seen = thread_seen(thread.pk)
    arrivals.thread_receive(
        thread=thread, incoming=CustomerMessage(text="Actually, cancel it.", source=Source.EMAIL)
    )
    with pytest.raises(services.ThreadChanged) as raised:
        services.thread_reply(thread=thread, employee=bob, text="Shipped today.", seen=seen)
    assert [(n.kind, n.text) for n in raised.value.news] == [("customer", "Actually, cancel it.")]
    assert raised.value.seen == thread_seen(thread.pk)
    assert replies(thread) == 0
    assert not Message.objects.filter(text="Shipped today.").exists()


def test_the_service_sends_nothing_when_a_colleague_replied_noted_or_changed_the_status(
    bob, charlie
):
    thread = make_thread()
    seen = thread_seen(thread.pk)
    services.thread_reply(
        thread=thread, employee=charlie, text="Refunded.", status_after=Status.OPEN
    )
    services.thread_note(thread=thread, employee=charlie, text="Called her.")
    services.thread_set_status(thread=thread, employee=charlie, status=Status.PENDING1)
    with pytest.raises(services.ThreadChanged) as raised:
        services.thread_reply(thread=thread, employee=bob, text="Shipped today.", seen=seen)
    news = raised.value.news
    assert [n.kind for n in news] == ["reply", "note", "status"]
    assert all(n.employee == charlie for n in news)
    assert (news[2].old, news[2].new) == (Status.OPEN, Status.PENDING1)
    assert replies(thread) == 1  # Charlie's only


def test_the_service_sends_once_with_what_the_thread_is_now(bob, charlie):
    thread = make_thread()
    stale = thread_seen(thread.pk)
    services.thread_note(thread=thread, employee=charlie, text="Called her.")
    with pytest.raises(services.ThreadChanged) as raised:
        services.thread_reply(thread=thread, employee=bob, text="Shipped.", seen=stale)
    current = raised.value.seen
    services.thread_reply(thread=thread, employee=bob, text="Shipped.", seen=current)
    with pytest.raises(services.ThreadChanged):  # the same "send anyway" twice: sent once
        services.thread_reply(thread=thread, employee=bob, text="Shipped.", seen=current)
    assert replies(thread) == 1


def test_without_what_was_seen_the_service_sends_as_before(bob, charlie):
    thread = make_thread()
    services.thread_note(thread=thread, employee=charlie, text="Called her.")
    services.thread_reply(thread=thread, employee=bob, text="Shipped.")
    assert replies(thread) == 1


def test_a_note_is_held_too_when_the_customer_wrote_since(bob):
    thread = make_thread()
    seen = thread_seen(thread.pk)
    arrivals.thread_receive(
        thread=thread, incoming=CustomerMessage(text="Hello?", source=Source.EMAIL)
    )
    with pytest.raises(services.ThreadChanged):
        services.thread_note(thread=thread, employee=bob, text="Waiting for stock.", seen=seen)
    assert not Message.objects.filter(text="Waiting for stock.").exists()


def test_an_api_caller_giving_only_a_message_id_is_not_held_by_a_status_change(bob, charlie):
    thread = make_thread()
    seen = Seen(thread_seen(thread.pk).message_id, None)
    services.thread_set_status(thread=thread, employee=charlie, status=Status.PENDING2)
    services.thread_reply(thread=thread, employee=bob, text="Shipped.", seen=seen)
    assert replies(thread) == 1


# --- the thread page -----------------------------------------------------------------------------


def test_the_second_send_is_held_with_the_news_and_the_typed_text_kept(bob, charlie):
    thread = make_thread()
    bobs, charlies = desk_of(bob), desk_of(charlie)
    bob_seen, charlie_seen = seen_on_page(bobs, thread.pk), seen_on_page(charlies, thread.pk)
    sent = charlies.post(
        f"/desk/threads/{thread.pk}/reply/",
        {"text": "We refunded you.", "status_after": "closed", "seen": charlie_seen},
    )
    assert sent.status_code == 302
    held = bobs.post(
        f"/desk/threads/{thread.pk}/reply/",
        {"text": "Your parcel left today.", "status_after": "pending1", "seen": bob_seen},
    )
    assert held.status_code == 409
    page = held.content.decode()
    assert "your reply was not sent" in page
    assert "Charlie" in page
    assert "We refunded you." in page
    assert "changed the status from Open to Closed" in page
    assert "Your parcel left today.</textarea>" in page  # the typed text kept
    assert 'value="pending1" selected' in page
    assert "Send anyway" in page
    assert replies(thread) == 1
    found = re.search(r'name="seen" value="([0-9.]+)"', page)
    assert found, "the page now carries the thread as it is"
    new_seen = found.group(1)
    anyway = {"text": "Your parcel left today.", "status_after": "pending1", "seen": new_seen}
    assert bobs.post(f"/desk/threads/{thread.pk}/reply/", anyway).status_code == 302
    assert bobs.post(f"/desk/threads/{thread.pk}/reply/", anyway).status_code == 409  # twice
    assert replies(thread) == 2  # Charlie's, and Bob's once


def test_a_note_over_news_is_held_on_the_page_too(bob, charlie):
    thread = make_thread()
    bobs = desk_of(bob)
    seen = seen_on_page(bobs, thread.pk)
    services.thread_set_status(thread=thread, employee=charlie, status=Status.PENDING1)
    held = bobs.post(f"/desk/threads/{thread.pk}/note/", {"note": "Stock due.", "seen": seen})
    assert held.status_code == 409
    assert "your note was not added" in held.content.decode()
    assert not Message.objects.filter(text="Stock due.").exists()


@pytest.mark.parametrize("seen", ["", "x.y", "-1.4", "3", "99999999999999999999999.1"])
def test_an_unreadable_seen_value_is_not_checked_and_never_a_500(bob, seen):
    thread = make_thread()
    response = desk_of(bob).post(
        f"/desk/threads/{thread.pk}/reply/",
        {"text": "Shipped.", "status_after": "closed", "seen": seen},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("language", "words"),
    [("fr", "votre réponse n'a pas été envoyée"), ("es", "tu respuesta no se ha enviado")],
)
def test_the_warning_is_in_the_employees_language(charlie, language, words):
    from comptoir.testing import make_employee

    thread = make_thread()
    other = desk_of(make_employee("Zoe", language=language))
    seen = seen_on_page(other, thread.pk)
    services.thread_note(thread=thread, employee=charlie, text="Called her.")
    held = other.post(
        f"/desk/threads/{thread.pk}/reply/",
        {"text": "Hola", "status_after": "closed", "seen": seen},
        headers={"accept-language": language},
    )
    assert words in html.unescape(held.content.decode())
