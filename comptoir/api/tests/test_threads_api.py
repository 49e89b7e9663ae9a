"""/api/v1/threads: lists with filters and cursors, one thread, reply, note, status, assign."""

import base64
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.api.tests.conftest import errors_of
from comptoir.testing import make_customer, make_order, make_thread
from comptoir.threads import services
from comptoir.threads.models import (
    EmailKind,
    EventKind,
    OutboundEmail,
    Source,
    Status,
    Thread,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_the_list_gives_threads_newest_first_with_their_customer_and_order(api, alice):
    order = make_order(alice, reference="QWERTYUIO")
    old = make_thread(customer=alice, order=order)
    new = make_thread(email="gaston@example.com")
    response = api.get("/threads")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [t["id"] for t in items] == [new.pk, old.pk]
    assert items[1]["order_reference"] == "QWERTYUIO"
    assert items[1]["customer_id"] == alice.pk
    assert items[1]["desk_url"].endswith(f"/desk/threads/{old.pk}/")
    assert response.json()["next_cursor"] is None


def test_following_the_cursor_visits_every_thread_once(api):
    made = [make_thread(email=f"c{i}@example.com").pk for i in range(7)]
    seen, cursor = [], None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = api.get("/threads", **query).json()
        seen += [t["id"] for t in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(made, reverse=True)


def test_a_thread_created_while_paging_is_neither_skipped_nor_repeated(api):
    for i in range(4):
        make_thread(email=f"c{i}@example.com")
    first = api.get("/threads", limit=2).json()
    make_thread(email="late@example.com")  # newer than every page still to come
    rest = api.get("/threads", limit=10, cursor=first["next_cursor"]).json()
    ids = [t["id"] for t in first["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "pending1"}, {"pending"}),
        ({"email": "ALICE@example.com"}, {"alice"}),
        ({"order_reference": "REFALICE1"}, {"alice"}),
    ],
)
def test_the_list_filters(api, alice, query, expected):
    names = {}
    names["alice"] = make_thread(customer=alice, order=make_order(alice, reference="REFALICE1"))
    names["pending"] = make_thread(email="pending@example.com")
    services.thread_set_status(thread=names["pending"], employee=None, status=Status.PENDING1)
    make_thread(email="other@example.com")
    got = {t["id"] for t in api.get("/threads", **query).json()["items"]}
    assert got == {names[name].pk for name in expected}


def test_the_list_filters_by_contact_and_assignee(api, bob):
    from comptoir.threads.models import Contact

    webmaster = Contact.objects.get(name__en="Webmaster")
    mine = make_thread(email="mine@example.com", contact=webmaster)
    services.thread_assign(thread=mine, employee=bob, assignee=bob)
    make_thread(email="other@example.com")
    assert [t["id"] for t in api.get("/threads", contact_id=webmaster.pk).json()["items"]] == [
        mine.pk
    ]
    assert [t["id"] for t in api.get("/threads", assignee_id=bob.pk).json()["items"]] == [mine.pk]


def test_updated_since_gives_changed_threads_oldest_change_first(api, bob):
    first = make_thread(email="first@example.com")
    second = make_thread(email="second@example.com")
    Thread.objects.filter(pk__in=[first.pk, second.pk]).update(
        updated_at=timezone.now() - timedelta(days=2)
    )
    since = timezone.now() - timedelta(hours=1)
    services.thread_note(thread=second, employee=bob, text="later")
    services.thread_note(thread=first, employee=bob, text="even later")
    items = api.get("/threads", updated_since=since.isoformat()).json()["items"]
    assert [t["id"] for t in items] == [second.pk, first.pk]


def test_bad_query_values_are_field_errors(api):
    response = api.get("/threads", status="lost", limit=0)
    assert response.status_code == 422
    fields = errors_of(response)
    assert set(fields) == {"status", "limit"}
    assert api.get("/threads", cursor="not-a-cursor").json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("field", ["contact_id", "assignee_id"])
def test_an_id_no_row_has_finds_no_thread_and_one_no_column_holds_is_refused(api, field):
    make_thread()
    response = api.get("/threads", **{field: 2**63 - 1})
    assert response.status_code == 200
    assert response.json()["items"] == []
    response = api.get("/threads", **{field: -(10**25)})
    assert response.status_code == 422
    assert errors_of(response) == {field: ["This number is too large."]}


def test_a_cursor_of_the_list_by_id_is_refused_by_the_list_by_time_of_change(api):
    for i in range(3):
        make_thread(email=f"c{i}@example.com")
    cursor = api.get("/threads", limit=1).json()["next_cursor"]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    response = api.get("/threads", updated_since=since, cursor=cursor)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"
    assert response.json()["errors"][0]["message"] == "This cursor is not valid."


@pytest.mark.parametrize("count", [3, 40])
def test_the_list_runs_the_same_queries_whatever_the_data(api, count):
    for i in range(count):
        make_thread(email=f"c{i}@example.com", customer=make_customer(f"C{i}"))
    api.get("/threads")  # the key's last-use write happens once
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/threads", limit=50).status_code == 200
    assert len(queries) <= 3, [q["sql"] for q in queries]


def test_one_thread_comes_with_every_message_private_notes_included(api, bob):
    thread = make_thread(text="Where is my parcel?")
    services.thread_note(thread=thread, employee=bob, text="Carrier called")
    services.thread_reply(thread=thread, employee=bob, text="It left today.")
    body = api.get(f"/threads/{thread.pk}").json()
    texts = [(m["author"], m["private"], m["text"]) for m in body["messages"]]
    assert texts == [
        ("customer", False, "Where is my parcel?"),
        ("employee", True, "Carrier called"),
        ("employee", False, "It left today."),
    ]
    assert body["messages"][2]["delivery"]["status"] == "queued"
    assert body["status"] == "closed"


def test_an_unknown_thread_is_404(api):
    response = api.get("/threads/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_reply_is_stored_emailed_and_closes_the_thread(api, charlie):
    thread = make_thread()
    response = api.post(f"/threads/{thread.pk}/replies", {"text": "Sent this morning."})
    assert response.status_code == 201
    message = response.json()
    assert message["source"] == "api"
    assert message["employee_id"] == charlie.pk  # the key acts as Charlie
    assert message["delivery"]["status"] == "queued"
    email = OutboundEmail.objects.get(message_id=message["id"])
    assert email.kind == EmailKind.REPLY
    assert email.to_email == "alice@example.com"
    assert "Sent this morning." in email.body_text
    thread.refresh_from_db()
    assert thread.status == Status.CLOSED
    assert thread.events.filter(kind=EventKind.REPLIED, employee=charlie).exists()


def test_a_reply_can_keep_the_thread_pending_and_attach_a_file(api):
    thread = make_thread()
    body = {
        "text": "Here is the invoice.",
        "status_after": "pending2",
        "attachments": [{"name": "invoice.pdf", "content_base64": b64(PDF)}],
    }
    message = api.post(f"/threads/{thread.pk}/replies", body).json()
    assert [a["name"] for a in message["attachments"]] == ["invoice.pdf"]
    thread.refresh_from_db()
    assert thread.status == Status.PENDING2
    path = "/" + message["attachments"][0]["url"].split("/", 3)[3]  # the URL is absolute
    download = api.client.get(path)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/octet-stream"
    assert "invoice.pdf" in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("attachment", "field"),
    [
        (
            {"name": "invoice.pdf", "content_base64": "%%%not base64%%%"},
            "attachments.0.content_base64",
        ),
        ({"name": "invoice.pdf", "content_base64": b64(b"MZ\x90\x00 a program")}, "attachments"),
        ({"name": "script.exe", "content_base64": b64(b"MZ")}, "attachments"),
    ],
)
def test_a_bad_attachment_refuses_the_reply_and_stores_nothing(api, attachment, field):
    thread = make_thread()
    body = {"text": "See attached", "attachments": [attachment]}
    response = api.post(f"/threads/{thread.pk}/replies", body)
    assert response.status_code == 422
    assert list(errors_of(response)) == [field]
    assert thread.messages.count() == 1
    assert not OutboundEmail.objects.filter(kind=EmailKind.REPLY).exists()


def test_a_blank_reply_is_a_field_error(api):
    thread = make_thread()
    for text in ["", "   \n  "]:
        response = api.post(f"/threads/{thread.pk}/replies", {"text": text})
        assert response.status_code == 422
        assert list(errors_of(response)) == ["text"]
    assert thread.messages.count() == 1


def test_a_body_that_is_not_json_is_400(api):
    thread = make_thread()
    response = api.client.post(
        f"/api/v1/threads/{thread.pk}/replies", b"{text: oops", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_body"


def test_a_note_is_private_and_sends_nothing(api):
    thread = make_thread()
    response = api.post(f"/threads/{thread.pk}/notes", {"text": "VIP customer"})
    assert response.status_code == 201
    assert response.json()["private"] is True
    assert not OutboundEmail.objects.filter(thread=thread, kind=EmailKind.REPLY).exists()
    thread.refresh_from_db()
    assert thread.has_private


def test_setting_the_status_records_an_event(api, charlie):
    thread = make_thread()
    response = api.put(f"/threads/{thread.pk}/status", {"status": "pending1"})
    assert response.status_code == 200
    assert response.json()["status"] == "pending1"
    event = thread.events.get(kind=EventKind.STATUS)
    assert (event.data, event.employee) == ({"old": "open", "new": "pending1"}, charlie)
    assert api.put(f"/threads/{thread.pk}/status", {"status": "archived"}).status_code == 422


def test_assigning_and_unassigning(api, bob):
    thread = make_thread()
    assert api.put(f"/threads/{thread.pk}/assignee", {"employee_id": bob.pk}).json()[
        "assignee_id"
    ] == (bob.pk)
    assert (
        api.put(f"/threads/{thread.pk}/assignee", {"employee_id": None}).json()["assignee_id"]
        is None
    )


def test_assigning_to_an_unknown_or_inactive_employee_is_a_field_error(api, dana):
    thread = make_thread()
    for employee_id in [dana.pk, 999999]:
        response = api.put(f"/threads/{thread.pk}/assignee", {"employee_id": employee_id})
        assert response.status_code == 422
        assert list(errors_of(response)) == ["employee_id"]
    thread.refresh_from_db()
    assert thread.assignee is None


def test_contacts_and_employees_are_listed(api, bob):
    contacts = api.get("/contacts").json()["items"]
    assert {c["name"]["en"] for c in contacts} == {"Webmaster", "Customer service"}
    one = api.get(f"/contacts/{contacts[0]['id']}").json()
    assert one == contacts[0]
    assert api.get("/contacts/999999").status_code == 404
    emails = {e["email"] for e in api.get("/employees").json()["items"]}
    assert {"bob@shop.test", "charlie@shop.test"} <= emails


def test_an_employee_reply_from_the_api_is_the_same_as_from_the_page(api):
    """The same service: the e-mail, the event and the counters move as they do on the page."""
    from comptoir.threads.counters import EMPLOYEE_MESSAGES, counters_read

    thread = make_thread()
    before = counters_read().get(EMPLOYEE_MESSAGES, 0)
    api.post(f"/threads/{thread.pk}/replies", {"text": "Done"})
    assert counters_read()[EMPLOYEE_MESSAGES] == before + 1
    assert thread.messages.get(author="employee").source == Source.API


def test_an_unknown_query_parameter_is_refused_not_ignored(api):
    make_thread()
    response = api.get("/threads", stauts="open")  # a typo must not list every thread
    assert response.status_code == 422
    assert list(errors_of(response)) == ["stauts"]


def test_a_repeated_query_parameter_is_refused(api):
    response = api.client.get("/api/v1/threads?status=open&status=closed")
    assert response.status_code == 422
    assert list(errors_of(response)) == ["status"]


def test_a_reply_holding_a_variable_without_value_is_refused_with_the_reason(api):
    thread = make_thread()
    response = api.post(f"/threads/{thread.pk}/replies", {"text": "Tracking: {tracking_number}"})
    assert response.status_code == 422
    assert "No value for {tracking_number}" in json.dumps(response.json())
    assert not OutboundEmail.objects.exists()


def test_a_reply_copies_the_addresses_given_in_cc(api):
    thread = make_thread()
    response = api.post(
        f"/threads/{thread.pk}/replies",
        {"text": "Sent this morning.", "cc": ["Partner@Example.org", "boss@example.net"]},
    )
    assert response.status_code == 201
    email = OutboundEmail.objects.get(message_id=response.json()["id"])
    assert email.cc == "partner@example.org, boss@example.net"  # normalised as the desk does
    assert response.json()["cc"] == ["partner@example.org", "boss@example.net"]


@pytest.mark.parametrize("cc", [["not an address"], ["a@example.org\r\nBcc: x@example.org"]])
def test_a_bad_cc_refuses_the_reply_and_sends_nothing(api, cc):
    thread = make_thread()
    response = api.post(f"/threads/{thread.pk}/replies", {"text": "Hello", "cc": cc})
    assert response.status_code == 422
    assert list(errors_of(response)) == ["cc"]
    assert not OutboundEmail.objects.filter(thread=thread).exists()


def test_snoozing_sets_the_thread_aside_and_null_brings_it_back(api, charlie):
    thread = make_thread()
    until = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    response = api.put(f"/threads/{thread.pk}/snooze", {"until": until.isoformat()})
    assert response.status_code == 200
    assert response.json()["snoozed_until"] is not None
    thread.refresh_from_db()
    assert thread.snoozed_until == until
    assert thread.events.filter(kind=EventKind.SNOOZED, employee=charlie).exists()
    response = api.put(f"/threads/{thread.pk}/snooze", {"until": None})
    assert (response.status_code, response.json()["snoozed_until"]) == (200, None)
    thread.refresh_from_db()
    assert thread.snoozed_until is None


def test_snoozing_into_the_past_is_a_field_error(api):
    thread = make_thread()
    past = timezone.now() - timedelta(minutes=5)
    response = api.put(f"/threads/{thread.pk}/snooze", {"until": past.isoformat()})
    assert response.status_code == 422
    assert list(errors_of(response)) == ["until"]
    thread.refresh_from_db()
    assert thread.snoozed_until is None
