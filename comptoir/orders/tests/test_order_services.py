"""Messages written from an order's page land in the order's thread (REFERENCE A18, spec 7.2)."""

from datetime import timedelta

import pytest
from django.db.models import Max
from django.utils import timezone

from comptoir.lib.msgid import verify_message_id
from comptoir.mail.outbox import outbox_deliver
from comptoir.orders.services import (
    ORDER_MESSAGE_MAX_LENGTH,
    order_message_post,
    order_messages_for_order,
)
from comptoir.testing import make_customer, make_order, make_thread
from comptoir.threads import counters, services
from comptoir.threads.emails import message_id_key
from comptoir.threads.models import (
    Author,
    EmailKind,
    EventKind,
    Message,
    OutboundEmail,
    Source,
    Status,
    Thread,
)
from comptoir.threads.services import ThreadError

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(alice):
    return make_order(alice, reference="XKBKNABJK")


def post(order, employee, text="Your parcel left this morning.", visible=True):
    return order_message_post(
        order=order, employee=employee, text=text, visible_to_customer=visible
    )


def test_the_first_message_on_an_order_opens_a_thread_without_contact(order, bob):
    message = post(order, bob)
    thread = message.thread
    assert thread.contact is None
    assert thread.customer == order.customer
    assert thread.order == order
    assert thread.email == "alice@example.com"
    assert thread.language == order.language
    assert thread.status == Status.OPEN
    assert not thread.is_unread
    created = thread.events.get(kind=EventKind.CREATED)
    assert created.data == {"source": "order"}
    assert created.employee == bob
    assert message.author == Author.EMPLOYEE
    assert message.employee == bob
    assert message.source == Source.ORDER_PAGE
    assert not message.private


def test_the_thread_takes_the_orders_language_not_the_employees(bob):
    amelie = make_customer("Amelie", language="fr")
    message = post(make_order(amelie), bob)
    assert message.thread.language == "fr"


def test_the_customers_existing_thread_about_the_order_is_reused(order, alice, bob):
    older = make_thread(customer=alice, order=order, text="Is it shipped?")
    newer = make_thread(customer=alice, order=order, text="Any news?")
    make_thread(customer=alice, text="Another question, no order")
    message = post(order, bob)
    assert message.thread == newer
    assert Thread.objects.count() == 3
    assert older.messages.count() == 1


def test_a_thread_about_the_order_from_another_address_is_not_the_customers(order, alice, bob):
    other = make_thread(email="someone@example.net", order=order)
    message = post(order, bob)
    assert message.thread != other
    assert message.thread.email == alice.email


@pytest.mark.parametrize("visible", [True, False])
@pytest.mark.parametrize("status", [Status.OPEN, Status.CLOSED, Status.PENDING1])
def test_the_threads_status_does_not_change(order, alice, bob, visible, status):
    thread = make_thread(customer=alice, order=order)
    services.thread_set_status(thread=thread, employee=bob, status=status)
    post(order, bob, visible=visible)
    thread.refresh_from_db()
    assert thread.status == status
    assert not thread.events.filter(kind=EventKind.STATUS).exclude(data__new=status).exists()


def test_a_visible_message_queues_one_order_message_email_to_the_customer(order, bob):
    message = post(order, bob, text="Your parcel left this morning.\nTracking: 1Z999")
    thread = message.thread
    (email,) = OutboundEmail.objects.all()
    assert email.kind == EmailKind.ORDER_MESSAGE
    assert email.thread == thread
    assert email.message == message
    assert email.to_email == "alice@example.com"
    assert email.to_name == "Alice Doe"
    assert email.subject == f"New message regarding your order #ct{thread.pk} #tc{thread.token}"
    assert email.body_text.startswith("Hello Alice Doe,\n")
    assert "about your order XKBKNABJK:" in email.body_text
    assert "Your parcel left this morning.\nTracking: 1Z999" in email.body_text
    assert f"/contact/t/{thread.token}/?lang=en" in email.body_text
    assert verify_message_id(email.header_message_id, key=message_id_key()) == thread.pk
    message.refresh_from_db()
    assert message.message_id == email.header_message_id
    replied = thread.events.get(kind=EventKind.REPLIED)
    assert replied.data == {"message": message.pk, "order": order.pk}
    assert replied.employee == bob


def test_the_email_speaks_the_orders_language_whatever_the_employees(bob):
    amelie = make_customer("Amelie", language="fr")
    message = post(make_order(amelie, reference="FRCMD0001"), bob)
    email = OutboundEmail.objects.get()
    # Strings the French catalogue already has; the new ones are left to the i18n work.
    assert email.body_text.startswith("Bonjour Amelie Doe,\n")
    assert "Pour répondre, répondez à cet e-mail ou ouvrez votre conversation" in email.body_text
    assert f"/contact/t/{message.thread.token}/?lang=fr" in email.body_text
    assert "FRCMD0001" in email.body_text


def test_a_private_message_is_a_note_and_is_not_emailed(order, bob):
    message = post(order, bob, text="Customer called, wants gift wrap.", visible=False)
    assert message.private
    assert not OutboundEmail.objects.exists()
    thread = message.thread
    assert thread.has_private
    assert thread.message_count == 1
    assert thread.last_message_excerpt == ""  # notes never show in the list's excerpt
    assert list(thread.events.values_list("kind", flat=True)) == [
        EventKind.CREATED,
        EventKind.NOTE,
    ]


def test_the_threads_derived_fields_follow_the_new_message(order, alice, bob):
    thread = make_thread(customer=alice, order=order, text="Where is my parcel?")
    message = post(order, bob, text="It  left\nthis morning.")
    thread.refresh_from_db()
    assert thread.message_count == 2
    assert thread.last_message_from == Author.EMPLOYEE
    assert thread.last_message_excerpt == "It left this morning."
    assert thread.last_message_at == message.created_at
    assert thread.last_employee_message_at == message.created_at
    assert thread.last_employee == bob
    assert thread.first_response_at == message.created_at
    later = post(order, bob, text="Delivered.")
    thread.refresh_from_db()
    assert thread.message_count == 3
    assert thread.first_response_at == message.created_at  # the first answer stays the first
    assert thread.last_message_at == later.created_at


def test_a_thread_the_employee_started_has_no_first_response(order, bob):
    thread = post(order, bob).thread
    assert thread.first_response_at is None  # nothing to respond to yet
    assert thread.first_customer_message_at is None


def test_the_derived_fields_and_desk_counters_agree_with_a_recount(order, alice, bob):
    make_thread(customer=alice, order=order)
    post(order, bob)
    post(order, bob, visible=False)
    amelie = make_customer("Amelie", language="fr")
    post(make_order(amelie, reference="FRCMD0001"), bob)
    for thread in Thread.objects.all():
        assert thread.message_count == thread.messages.count()
        assert thread.last_message_at == thread.messages.aggregate(at=Max("created_at"))["at"]
    kept = counters.counters_read()
    recounted = counters.thread_counters_recount()
    assert {name: kept.get(name, 0) for name in recounted} == recounted


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_a_blank_message_is_refused_and_nothing_is_stored(order, bob, text):
    with pytest.raises(ThreadError, match=r"The message cannot be blank\."):
        post(order, bob, text=text)
    assert not Thread.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_a_message_over_1200_characters_is_refused(order, bob):
    assert post(order, bob, text="x" * ORDER_MESSAGE_MAX_LENGTH).pk
    with pytest.raises(ThreadError, match="1200"):
        post(order, bob, text="x" * (ORDER_MESSAGE_MAX_LENGTH + 1))
    assert Message.objects.count() == 1


def test_the_orders_messages_are_all_its_threads_messages_newest_first(order, alice, bob):
    first = make_thread(customer=alice, order=order, text="Is it shipped?")
    other = make_thread(email="someone@example.net", order=order, text="I paid for Alice")
    make_thread(customer=alice, order=make_order(alice, reference="OTHER"), text="Not this one")
    note = post(order, bob, text="Checking with the warehouse.", visible=False)
    answer = post(order, bob, text="Shipped today.")
    now = timezone.now()
    Message.objects.filter(text="Is it shipped?").update(created_at=now - timedelta(hours=3))
    Message.objects.filter(thread=other).update(created_at=now - timedelta(hours=2))
    Message.objects.filter(pk=note.pk).update(created_at=now - timedelta(hours=1))
    texts = [m.text for m in order_messages_for_order(order)]
    assert note.thread == answer.thread == first
    assert texts == [
        answer.text,
        "Checking with the warehouse.",
        "I paid for Alice",
        "Is it shipped?",
    ]


def test_a_visible_message_reaches_the_customer_through_smtp(order, bob, smtp):
    message = post(order, bob, text="Your parcel left this morning.")
    assert outbox_deliver().sent == 1
    (envelope,) = smtp.messages
    assert envelope.rcpt_tos == ["alice@example.com"]
    (received,) = smtp.parsed()
    thread = message.thread
    assert received["Subject"] == (
        f"New message regarding your order #ct{thread.pk} #tc{thread.token}"
    )
    assert received["Message-ID"].strip() == OutboundEmail.objects.get().header_message_id
    body = received.get_content()
    assert "XKBKNABJK" in body
    assert "Your parcel left this morning." in body
