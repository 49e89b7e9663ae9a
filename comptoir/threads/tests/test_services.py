"""Every state change of a thread, its event, and the e-mails it queues."""

import pytest
from django.conf import settings

from comptoir.lib.msgid import verify_message_id
from comptoir.testing import default_contact, make_employee, make_thread
from comptoir.threads import arrivals, services
from comptoir.threads.emails import message_id_key, subject_markers
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import (
    Author,
    EmailKind,
    EmailStatus,
    EventKind,
    OutboundEmail,
    Source,
    Status,
    Thread,
)
from comptoir.threads.services import ThreadError

pytestmark = pytest.mark.django_db


def kinds(thread):
    return list(thread.events.values_list("kind", flat=True))


def test_a_new_thread_is_open_unread_and_has_a_long_secret_token():
    thread = make_thread(email="Alice@Example.com ", text="Where is my parcel?")
    assert thread.status == Status.OPEN
    assert thread.is_unread
    assert thread.email == "alice@example.com"
    assert len(thread.link_secret) >= 22
    assert thread.link_secret.isalnum()
    assert thread.message_count == 1
    assert thread.last_message_from == Author.CUSTOMER
    assert thread.last_message_excerpt == "Where is my parcel?"
    assert thread.first_customer_message_at == thread.last_customer_message_at
    assert kinds(thread) == [EventKind.CREATED]


def test_tokens_differ_between_threads():
    assert make_thread().link_secret != make_thread().link_secret


def test_a_reply_stores_the_message_queues_one_email_and_marks_the_thread_handled(bob):
    thread = make_thread(text="Where is my parcel?")
    message = services.thread_reply(thread=thread, employee=bob, text="It left this morning.")
    thread.refresh_from_db()
    assert thread.status == Status.CLOSED
    assert not thread.is_unread
    assert thread.message_count == 2
    assert thread.last_employee == bob
    assert thread.first_response_at == message.created_at
    (email,) = OutboundEmail.objects.all()
    assert email.kind == EmailKind.REPLY
    assert email.status == EmailStatus.QUEUED
    assert email.message == message
    assert email.to_email == "alice@example.com"
    assert email.subject == f"An answer to your message is available {subject_markers(thread)}"
    assert "It left this morning." in email.body_text
    assert f"/contact/t/{thread.link_secret}/" in email.body_text
    assert email.from_email == default_contact().email
    assert verify_message_id(email.header_message_id, key=message_id_key()) == thread.pk
    assert message.message_id == email.header_message_id
    assert kinds(thread) == [EventKind.CREATED, EventKind.REPLIED, EventKind.STATUS]


@pytest.mark.parametrize("status", [Status.OPEN, Status.PENDING1, Status.PENDING2])
def test_the_employee_may_keep_the_thread_open_or_pending_after_replying(bob, status):
    thread = make_thread()
    services.thread_reply(thread=thread, employee=bob, text="Looking into it.", status_after=status)
    thread.refresh_from_db()
    assert thread.status == status


def test_a_blank_reply_is_refused_and_nothing_is_queued(bob):
    thread = make_thread()
    with pytest.raises(ThreadError, match="cannot be blank"):
        services.thread_reply(thread=thread, employee=bob, text="  \n ")
    assert not OutboundEmail.objects.exists()
    assert thread.messages.count() == 1


def test_a_second_reply_threads_under_the_first(bob):
    thread = make_thread()
    first = services.thread_reply(thread=thread, employee=bob, text="One.")
    services.thread_reply(thread=thread, employee=bob, text="Two.")
    second_email = OutboundEmail.objects.latest("id")
    assert second_email.in_reply_to == first.message_id
    assert first.message_id in second_email.references


def test_the_reply_is_written_in_the_threads_language(bob):
    thread = make_thread(language="fr", text="Où est mon colis ?")
    services.thread_reply(thread=thread, employee=bob, text="Il est parti ce matin.")
    email = OutboundEmail.objects.get()
    assert email.subject.startswith("Une réponse à votre message est disponible #ct")


def test_a_customer_message_reopens_a_handled_thread_and_makes_it_unread(bob):
    thread = make_thread()
    services.thread_reply(thread=thread, employee=bob, text="Done.")
    arrivals.thread_receive(
        thread=thread, incoming=CustomerMessage(text="Not received yet!", source=Source.EMAIL)
    )
    thread.refresh_from_db()
    assert thread.status == Status.OPEN
    assert thread.is_unread
    assert thread.last_message_from == Author.CUSTOMER
    assert thread.events.filter(kind=EventKind.REOPENED, data__old="closed").exists()


def test_an_auto_reply_is_kept_as_a_private_note_without_reopening(bob):
    thread = make_thread()
    services.thread_reply(thread=thread, employee=bob, text="Done.")
    message = arrivals.thread_receive(
        thread=thread,
        incoming=CustomerMessage(
            text="I am out of office.", source=Source.EMAIL, is_auto_reply=True
        ),
    )
    thread.refresh_from_db()
    assert message.private
    assert thread.status == Status.CLOSED
    assert not thread.is_unread
    assert thread.has_private


def test_a_private_note_is_not_emailed_and_does_not_count_as_a_first_response(bob):
    thread = make_thread()
    services.thread_note(thread=thread, employee=bob, text="Customer called, see ticket 4.")
    thread.refresh_from_db()
    assert thread.has_private
    assert thread.first_response_at is None
    assert thread.last_message_excerpt == "Where is my parcel?"
    assert not OutboundEmail.objects.exists()
    assert kinds(thread)[-1] == EventKind.NOTE


@pytest.mark.parametrize("status", [Status.CLOSED, Status.PENDING1, Status.PENDING2, Status.OPEN])
def test_any_status_can_be_set_and_is_recorded(bob, status):
    thread = make_thread()
    services.thread_set_status(thread=thread, employee=bob, status=Status.PENDING2)
    services.thread_set_status(thread=thread, employee=bob, status=status)
    thread.refresh_from_db()
    assert thread.status == status
    changes = list(thread.events.filter(kind=EventKind.STATUS).values_list("data", flat=True))
    expected = [{"old": "open", "new": "pending2"}]
    if status != Status.PENDING2:
        expected.append({"old": "pending2", "new": status.value})
    assert changes == expected


def test_setting_the_same_status_records_nothing(bob):
    thread = make_thread()
    services.thread_set_status(thread=thread, employee=bob, status=Status.OPEN)
    assert kinds(thread) == [EventKind.CREATED]


def test_assigning_and_unassigning_are_recorded(bob, charlie):
    thread = make_thread()
    services.thread_assign(thread=thread, employee=bob, assignee=charlie)
    thread.refresh_from_db()
    assert thread.assignee == charlie
    services.thread_assign(thread=thread, employee=bob, assignee=None)
    assert Thread.objects.get(pk=thread.pk).assignee is None
    data = list(thread.events.filter(kind=EventKind.ASSIGNED).values_list("data", flat=True))
    assert [d["new"] for d in data] == [charlie.pk, None]


def test_an_inactive_employee_cannot_be_assigned(bob, dana):
    with pytest.raises(ThreadError):
        services.thread_assign(thread=make_thread(), employee=bob, assignee=dana)


def test_forwarding_to_a_colleague_assigns_emails_the_whole_conversation_and_notes_it(bob, charlie):
    thread = make_thread(text="First question")
    services.thread_reply(
        thread=thread, employee=bob, text="First answer", status_after=Status.OPEN
    )
    arrivals.thread_receive(
        thread=thread, incoming=CustomerMessage(text="Second question", source=Source.EMAIL)
    )
    email = services.thread_forward(
        thread=thread, employee=bob, to_employee=charlie, comment="Refund? Your call."
    )
    thread.refresh_from_db()
    assert thread.assignee == charlie
    assert email.kind == EmailKind.FORWARD
    assert email.to_email == charlie.email
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    assert email.is_internal
    for text in ("First question", "First answer", "Second question", "Refund? Your call."):
        assert text in email.body_text
    note = thread.messages.latest("id")
    assert note.private
    assert note.text == "Message forwarded to Charlie Tester\nComment: Refund? Your call."
    assert EventKind.FORWARDED in kinds(thread)
    assert EventKind.ASSIGNED in kinds(thread)
    assert thread.status == Status.OPEN


def test_forwarding_outside_records_a_private_note_and_keeps_the_assignee(bob):
    thread = make_thread()
    services.thread_forward(
        thread=thread, employee=bob, to_email="carrier@logistics.example", comment="Lost parcel"
    )
    thread.refresh_from_db()
    assert thread.assignee is None
    email = OutboundEmail.objects.get()
    assert email.to_email == "carrier@logistics.example"
    note = thread.messages.latest("id")
    assert note.private
    assert note.text.startswith("Message forwarded to carrier@logistics.example")


def test_forward_notes_are_written_in_the_forwarding_employees_language():
    lucie = make_employee("Lucie", language="fr")
    thread = make_thread()
    services.thread_forward(thread=thread, employee=lucie, to_email="x@example.org")
    assert thread.messages.latest("id").text == "Message transféré à x@example.org"


def test_forward_needs_exactly_one_target(bob, charlie):
    thread = make_thread()
    with pytest.raises(ThreadError):
        services.thread_forward(thread=thread, employee=bob)
    with pytest.raises(ThreadError):
        services.thread_forward(
            thread=thread, employee=bob, to_employee=charlie, to_email="a@example.org"
        )


def test_opening_a_thread_marks_its_customer_messages_read(bob):
    thread = make_thread()
    services.thread_mark_read(thread=thread, employee=bob)
    thread.refresh_from_db()
    assert not thread.is_unread
    assert not thread.messages.filter(author=Author.CUSTOMER, read_at__isnull=True).exists()


def test_deleting_a_thread_removes_its_messages_events_and_emails(bob):
    thread = make_thread()
    services.thread_reply(thread=thread, employee=bob, text="Hi")
    services.thread_delete(thread=thread, employee=bob)
    assert not Thread.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_header_injection_in_names_cannot_reach_the_headers(bob):
    from comptoir.shop.models import Customer

    evil = Customer.objects.create(
        email="eve@example.com", first_name="Eve\r\nBcc: victim@example.org", language="en"
    )
    thread = make_thread(email="eve@example.com", customer=evil)
    services.thread_reply(thread=thread, employee=bob, text="Hello")
    email = OutboundEmail.objects.get()
    assert "\n" not in email.to_name
    assert "\r" not in email.to_name
    assert "\n" not in email.subject


def test_counters_follow_every_change_and_match_a_recount(bob, charlie):
    from comptoir.threads.counters import counters_read, thread_counters_recount

    first = make_thread(email="a@example.com")
    second = make_thread(email="b@example.com")
    services.thread_reply(thread=first, employee=bob, text="Done")
    arrivals.thread_receive(
        thread=first, incoming=CustomerMessage(text="Again", source=Source.EMAIL)
    )
    services.thread_note(thread=second, employee=bob, text="note")
    services.thread_set_status(thread=second, employee=bob, status=Status.PENDING2)
    services.thread_mark_read(thread=Thread.objects.get(pk=first.pk), employee=bob)
    third = make_thread(email="c@example.com")
    services.thread_forward(thread=third, employee=bob, to_employee=charlie)
    services.thread_delete(thread=second, employee=charlie)
    live = counters_read()
    assert live["threads"] == 2
    assert live["threads:unread"] == 1
    assert live["messages:customer"] == 3
    assert live["messages:employee"] == 2
    assert live["threads:open"] == 2
    assert live["threads:pending2"] == 0
    recount = thread_counters_recount()
    assert {k: v for k, v in live.items() if v} == {k: v for k, v in recount.items() if v}
