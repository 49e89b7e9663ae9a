"""The API's replies and notes with the last message id the caller saw: 412 and the news."""

import pytest

from comptoir.testing import make_thread
from comptoir.threads import arrivals, services
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import EmailKind, OutboundEmail, Source, Status
from comptoir.threads.news import thread_seen

pytestmark = pytest.mark.django_db


def test_a_reply_over_a_customer_message_the_caller_did_not_see_is_refused_with_412(api):
    thread = make_thread()
    last = thread_seen(thread.pk).message_id
    arrivals.thread_receive(
        thread=thread, incoming=CustomerMessage(text="Cancel please.", source=Source.EMAIL)
    )
    body = {"text": "Shipped.", "last_seen_message_id": last}
    response = api.post(f"/threads/{thread.pk}/replies", body)
    assert response.status_code == 412
    answer = response.json()
    assert answer["code"] == "thread_changed"
    assert [(n["kind"], n["text"]) for n in answer["news"]] == [("customer", "Cancel please.")]
    assert answer["last_message_id"] == thread_seen(thread.pk).message_id
    assert not OutboundEmail.objects.filter(thread=thread, kind=EmailKind.REPLY).exists()
    again = {"text": "Shipped.", "last_seen_message_id": answer["last_message_id"]}
    assert api.post(f"/threads/{thread.pk}/replies", again).status_code == 201


def test_a_status_change_is_news_when_the_caller_gives_the_last_event_id(api, bob):
    thread = make_thread()
    seen = thread_seen(thread.pk)
    services.thread_set_status(thread=thread, employee=bob, status=Status.PENDING1)
    body = {
        "text": "Shipped.",
        "last_seen_message_id": seen.message_id,
        "last_seen_event_id": seen.event_id,
    }
    answer = api.post(f"/threads/{thread.pk}/replies", body).json()
    assert answer["news"][0]["kind"] == "status"
    assert answer["news"][0]["new_status"] == "pending1"
    assert answer["news"][0]["employee_name"] == bob.full_name


def test_a_note_over_news_is_refused_with_412(api, bob):
    thread = make_thread()
    last = thread_seen(thread.pk).message_id
    services.thread_note(thread=thread, employee=bob, text="Called her.")
    response = api.post(
        f"/threads/{thread.pk}/notes", {"text": "Me too", "last_seen_message_id": last}
    )
    assert response.status_code == 412
    assert response.json()["news"][0]["kind"] == "note"


def test_without_a_last_seen_id_a_reply_is_sent_as_before(api, bob):
    thread = make_thread()
    services.thread_note(thread=thread, employee=bob, text="Called her.")
    assert api.post(f"/threads/{thread.pk}/replies", {"text": "Shipped."}).status_code == 201


def test_the_api_document_describes_the_412(api):
    document = api.client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/threads/{thread_id}/replies"]["post"]
    assert "412" in operation["responses"]
    assert "last_seen_message_id" in str(document["components"]["schemas"])
