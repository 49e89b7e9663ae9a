"""The demo shop: a usable login, and data the back office can show as it would show real data."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.files.storage import default_storage
from django.utils import timezone

from comptoir.demo import DEMO_ADMIN_EMAIL, demo_load, make_plan
from comptoir.shop.models import Customer, Order, OrderState
from comptoir.staff.models import Employee, Role
from comptoir.threads.models import (
    Attachment,
    Author,
    EmailKind,
    EmailStatus,
    EventKind,
    OrderMessage,
    OutboundEmail,
    Status,
    Thread,
    ThreadEvent,
)
from comptoir.threads.storage import attachment_open

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PASSWORD = "a-long-demo-password"
LANGUAGES = {"en", "fr", "es"}


def test_the_summary_counts_what_was_created_and_the_administrator_can_log_in() -> None:
    summary = demo_load(admin_password=PASSWORD)

    match = re.fullmatch(
        r"(\d+) customers, (\d+) orders, (\d+) threads, (\d+) messages, (\d+) employees", summary
    )
    assert match is not None, summary
    customers, orders, threads, messages, employees = map(int, match.groups())
    assert customers == Customer.objects.count()
    assert 35 <= customers <= 45
    assert orders == Order.objects.count()
    assert 45 <= orders <= 80
    assert threads == Thread.objects.count()
    assert 70 <= threads <= 90
    assert messages == sum(Thread.objects.values_list("message_count", flat=True))
    assert messages > 2 * threads
    assert employees == Employee.objects.count() == 3

    admin = authenticate(username=DEMO_ADMIN_EMAIL, password=PASSWORD)
    assert isinstance(admin, Employee)
    assert admin.role == Role.ADMINISTRATOR
    assert admin.full_name == "Camille Martin"
    agents = Employee.objects.exclude(pk=admin.pk)
    assert {agent.language for agent in agents} == {"fr", "es"}
    assert all(agent.role == Role.AGENT for agent in agents)
    assert not any(agent.has_usable_password() for agent in agents)


def test_the_desk_shows_every_kind_of_thread() -> None:
    demo_load(admin_password=PASSWORD)
    threads = list(Thread.objects.select_related("customer", "contact"))

    assert {thread.status for thread in threads} == set(Status)
    assert {thread.language for thread in threads} == LANGUAGES
    unread = [thread for thread in threads if thread.is_unread]
    assert unread
    assert all(thread.last_message_from == Author.CUSTOMER for thread in unread)
    assert all(thread.status == Status.OPEN for thread in unread)
    assert any(thread.customer is None or thread.customer.is_guest for thread in threads)
    assert any(thread.customer is not None and not thread.customer.is_guest for thread in threads)
    assert any(thread.order_id for thread in threads)
    assert any(thread.assignee_id for thread in threads)
    assert any(thread.has_private for thread in threads)
    assert {thread.contact.name["en"] for thread in threads if thread.contact} == {
        "Webmaster",
        "Customer service",
    }
    kinds = set(ThreadEvent.objects.values_list("kind", flat=True))
    assert {EventKind.FORWARDED, EventKind.REOPENED, EventKind.NOTE, EventKind.ASSIGNED} <= kinds
    # The newest conversation is recent, the oldest months old.
    now = timezone.now()
    newest = max(thread.last_message_at for thread in threads)
    oldest = min(thread.created_at for thread in threads)
    assert now - newest < timedelta(days=3)
    assert now - oldest > timedelta(days=60)


def test_each_thread_agrees_with_its_messages_and_lies_in_the_past() -> None:
    demo_load(admin_password=PASSWORD)
    now = timezone.now()

    for thread in Thread.objects.prefetch_related("messages", "events"):
        messages = list(thread.messages.all())  # ordered by date
        assert messages, thread
        assert thread.message_count == len(messages)
        assert messages[0].author == Author.CUSTOMER
        assert [m.created_at for m in messages] == sorted(m.created_at for m in messages)
        assert thread.created_at == messages[0].created_at <= now
        assert thread.last_message_at == messages[-1].created_at
        assert thread.first_customer_message_at == messages[0].created_at
        public = [m for m in messages if not m.private]
        assert thread.last_message_from == public[-1].author
        answers = [m for m in public if m.author == Author.EMPLOYEE]
        if answers:
            assert thread.first_response_at == answers[0].created_at
        else:
            assert thread.first_response_at is None
        assert (
            thread.first_response_at is None
            or thread.first_response_at >= thread.first_customer_message_at
        )
        events = list(thread.events.all())
        assert events[0].kind == EventKind.CREATED
        assert all(thread.created_at <= event.created_at <= now for event in events)
        assert thread.created_at <= thread.status_changed_at <= now
        if thread.order is not None:
            assert thread.order.customer_id == thread.customer_id
            assert thread.order.created_at < thread.created_at
        if thread.customer is not None:
            assert thread.customer.created_at < thread.created_at
            assert thread.email == thread.customer.email


def test_nothing_is_left_for_the_worker_and_the_attachments_are_real_files() -> None:
    demo_load(admin_password=PASSWORD)

    emails = OutboundEmail.objects.all()
    assert emails.filter(kind=EmailKind.REPLY).exists()
    assert not emails.exclude(status=EmailStatus.SENT).exists()
    assert all(email.sent_at is not None and email.sent_at >= email.created_at for email in emails)

    attachments = list(Attachment.objects.select_related("message"))
    assert len(attachments) >= 3
    assert {attachment.content_type for attachment in attachments} >= {
        "image/png",
        "application/pdf",
        "text/plain",
    }
    signatures = {"image/png": b"\x89PNG\r\n\x1a\n", "application/pdf": b"%PDF-"}
    for attachment in attachments:
        assert attachment.message is not None
        assert attachment.message.author == Author.CUSTOMER
        assert default_storage.exists(attachment.storage_name)
        with attachment_open(attachment) as handle:
            data = handle.read()
        assert len(data) == attachment.size
        assert data.startswith(signatures.get(attachment.content_type, b""))


def test_orders_have_a_chronological_history_ending_in_their_status() -> None:
    demo_load(admin_password=PASSWORD)

    orders = Order.objects.select_related("customer", "current_state").prefetch_related(
        "history__state"
    )
    for order in orders:
        history = list(order.history.all())
        assert history, order
        dates = [change.created_at for change in history]
        assert dates == sorted(dates)
        assert order.created_at <= dates[0] <= dates[-1] <= timezone.now()
        assert order.customer.created_at < order.created_at
        assert order.current_state == history[-1].state
        assert order.current_state is not None
        assert order.valid == order.current_state.counts_as_valid
        assert re.fullmatch(r"[A-Z]{9}", order.reference)
        assert order.currency == "EUR"
        assert order.total_paid == order.total_paid_shop_currency > 0
        assert order.language == order.customer.language
    assert Order.objects.values("reference").distinct().count() == orders.count()


def test_customers_statuses_and_order_messages_speak_three_languages() -> None:
    demo_load(admin_password=PASSWORD)

    customers = Customer.objects.all()
    assert {customer.language for customer in customers} == LANGUAGES
    assert 5 <= customers.filter(is_guest=True).count() <= 10
    domains = {customer.email.rpartition("@")[2] for customer in customers}
    assert domains <= {"example.com", "example.net", "example.org"}

    names = {state.name["en"]: state for state in OrderState.objects.all()}
    assert set(names) >= {"Payment accepted", "Shipped", "Delivered", "Canceled", "Refunded"}
    assert names["Payment accepted"].name["fr"] == "Paiement accepté"
    assert names["Delivered"].name["es"] == "Entregado"
    assert names["Delivered"].counts_as_valid
    assert not names["Canceled"].counts_as_valid
    assert all(set(state.name) == LANGUAGES for state in names.values())

    messages = list(OrderMessage.objects.all())
    assert len(messages) == 2
    for message in messages:
        assert set(message.name) == set(message.text) == LANGUAGES
        assert all(text.strip() for text in message.text.values())


def test_the_same_seed_gives_the_same_shop_and_another_seed_another() -> None:
    now = timezone.now()

    def outline(seed: int) -> list[tuple[str, str, int, str]]:
        plan = make_plan(seed, now)
        return [
            (thread.email, thread.script.key, thread.cut, thread.values["ref"])
            for thread in plan.threads
        ]

    assert outline(7) == outline(7)
    assert outline(7) != outline(8)
