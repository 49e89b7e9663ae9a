"""Messages written from an order's page land in the order's thread (REFERENCE A18, spec 7.2)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from comptoir.lib.msgid import verify_message_id
from comptoir.mail.outbox import outbox_deliver
from comptoir.orders.services import (
    ORDER_MESSAGE_MAX_LENGTH,
    order_message_post,
    order_messages_for_order,
)
from comptoir.testing import default_contact, make_customer, make_order, make_thread
from comptoir.threads import counters, services
from comptoir.threads.emails import message_id_key, subject_markers
from comptoir.threads.models import (
    Author,
    EmailKind,
    EventKind,
    Message,
    OutboundEmail,
    OutboundEvent,
    Source,
    Status,
    Thread,
    Topic,
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
    assert email.subject == f"New message regarding your order {subject_markers(thread)}"
    assert email.body_text.startswith("Hello Alice Doe,\n")
    assert "about your order XKBKNABJK:" in email.body_text
    assert "Your parcel left this morning.\nTracking: 1Z999" in email.body_text
    assert f"/contact/t/{thread.link_secret}/?lang=en" in email.body_text
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
    assert f"/contact/t/{message.thread.link_secret}/?lang=fr" in email.body_text
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
    assert received["Subject"] == (f"New message regarding your order {subject_markers(thread)}")
    assert received["Message-ID"].strip() == OutboundEmail.objects.get().header_message_id
    body = received.get_content()
    assert "XKBKNABJK" in body
    assert "Your parcel left this morning." in body


@pytest.fixture
def every_event_written(monkeypatch):
    """As if a webhook listened to every topic (the webhooks app is not asked)."""
    monkeypatch.setattr("comptoir.threads.publish._listened", None)


def customer_thread(order, alice, *, message_id):
    """A thread about ``order`` with a contact that has an address and a customer message that
    came by mail (so the answer's sender and threading headers are not the defaults)."""
    contact = default_contact()
    contact.email = "orders@shop.example"
    contact.save(update_fields=["email"])
    thread = make_thread(customer=alice, order=order, contact=contact, text="Where is it?")
    thread.messages.update(message_id=message_id)
    return thread


def written_after(thread, mark):
    """What a change wrote for ``thread`` (events after ``mark``, the webhooks' events, its one
    e-mail)."""
    events = [
        (e.kind, e.employee_id, e.data) for e in thread.events.filter(pk__gt=mark).order_by("pk")
    ]
    published = [
        (e.topic, e.message_id, e.employee_id, e.data)
        for e in OutboundEvent.objects.filter(thread_id=thread.pk).order_by("pk")
    ]
    return events, published, OutboundEmail.objects.get(thread=thread)


def test_a_visible_message_writes_the_email_event_and_webhook_event_it_always_wrote(
    order, alice, bob, every_event_written
):
    thread = customer_thread(order, alice, message_id="<q1@mail.example>")
    mark = thread.events.latest("pk").pk
    OutboundEvent.objects.all().delete()
    message = post(order, bob, text="Shipped today.")
    events, published, email = written_after(thread, mark)
    assert events == [(EventKind.REPLIED, bob.pk, {"message": message.pk, "order": order.pk})]
    assert published == [(Topic.REPLY_SENT, message.pk, bob.pk, {})]
    assert (email.kind, email.message, email.is_internal) == (
        EmailKind.ORDER_MESSAGE,
        message,
        False,
    )
    assert (email.from_email, email.from_name) == ("orders@shop.example", "Customer service")
    assert (email.to_email, email.to_name) == ("alice@example.com", "Alice Doe")
    assert (email.in_reply_to, email.references) == ("<q1@mail.example>", "<q1@mail.example>")
    assert email.subject == f"New message regarding your order {subject_markers(thread)}"
    shop, site = settings.COMPTOIR_SHOP_NAME, settings.COMPTOIR_SITE_URL
    assert email.body_text == (
        "Hello Alice Doe,\n\n"
        f"You received a message from {shop} about your order XKBKNABJK:\n\n"
        "Shipped today.\n\n"
        "--\n"
        "To answer, reply to this e-mail or open your conversation:\n"
        f"{site}/contact/t/{thread.link_secret}/?lang=en\n\n"
        f"{shop}\n"
    )
    thread.refresh_from_db()
    assert (thread.status, thread.is_unread) == (Status.OPEN, True)  # as in PrestaShop


def test_an_order_message_takes_the_same_steps_as_a_reply_from_the_thread_page(
    order, alice, bob, every_event_written
):
    from_order = customer_thread(order, alice, message_id="<q1@mail.example>")
    from_desk = make_thread(
        customer=alice, order=make_order(alice, reference="OTHER"), contact=default_contact()
    )
    from_desk.messages.update(message_id="<q2@mail.example>")
    marks = {t.pk: t.events.latest("pk").pk for t in (from_order, from_desk)}
    OutboundEvent.objects.all().delete()
    by_order = post(order, bob, text="Shipped today.")
    by_desk = services.thread_reply(
        thread=from_desk, employee=bob, text="Shipped today.", status_after=Status.OPEN
    )
    o_events, o_published, o_email = written_after(from_order, marks[from_order.pk])
    d_events, d_published, d_email = written_after(from_desk, marks[from_desk.pk])
    assert [(kind, who) for kind, who, _data in o_events] == [
        (kind, who) for kind, who, _data in d_events
    ]
    assert o_events[0][2] == {**d_events[0][2], "message": by_order.pk, "order": order.pk}
    assert o_published == [(Topic.REPLY_SENT, by_order.pk, bob.pk, {})]
    assert d_published == [(Topic.REPLY_SENT, by_desk.pk, bob.pk, {})]
    for email, thread, message, asked in [
        (o_email, from_order, by_order, "<q1@mail.example>"),
        (d_email, from_desk, by_desk, "<q2@mail.example>"),
    ]:
        assert email.message == message
        assert email.to_email == "alice@example.com"
        assert (email.in_reply_to, email.references) == (asked, asked)
        assert verify_message_id(email.header_message_id, key=message_id_key()) == thread.pk
        assert f"/contact/t/{thread.link_secret}/?lang=en" in email.body_text
        message.refresh_from_db()
        assert message.message_id == email.header_message_id
    assert (o_email.kind, d_email.kind) == (EmailKind.ORDER_MESSAGE, EmailKind.REPLY)
