"""Writing the demo shop: the team, order statuses, customers, orders, then every conversation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from comptoir.demo.conversations import ContactKey
from comptoir.demo.languages import order_messages
from comptoir.demo.plan import CustomerPlan, OrderPlan, make_plan
from comptoir.demo.play import Desk, thread_play
from comptoir.demo.shop import EMPLOYEES, LANGUAGES, ORDER_STATES
from comptoir.shop.models import Customer, Order, OrderHistory, OrderState
from comptoir.staff.models import Employee, Role
from comptoir.staff.services import employee_create
from comptoir.threads.defaults import default_contacts_ensure
from comptoir.threads.models import (
    Contact,
    DeskSettings,
    EmailStatus,
    Message,
    OrderMessage,
    OutboundEmail,
)


def _create_team(
    now: datetime, admin_password: str, agent_passwords: Mapping[str, str]
) -> tuple[Employee, dict[str, Employee]]:
    admin: Employee | None = None
    agents: dict[str, Employee] = {}
    for email, first, last, language, is_admin, days in EMPLOYEES:
        employee = employee_create(
            email=email,
            password=admin_password if is_admin else agent_passwords.get(email),
            first_name=first,
            last_name=last,
            role=Role.ADMINISTRATOR if is_admin else Role.AGENT,
            language=language,
        )
        Employee.objects.filter(pk=employee.pk).update(date_joined=now - timedelta(days=days))
        if is_admin:
            admin = employee
        agents[language] = employee
    assert admin is not None
    return admin, agents


def _create_order_states() -> dict[str, OrderState]:
    return {
        key: OrderState.objects.create(name=names, color=color, counts_as_valid=valid)
        for key, (names, color, valid) in ORDER_STATES.items()
    }


def _create_order_messages() -> None:
    for name, text in order_messages():
        OrderMessage.objects.create(name=name, text=text)


def _create_customers(customers: list[CustomerPlan]) -> None:
    for number, plan in enumerate(sorted(customers, key=lambda c: c.created_at), start=1001):
        customer = Customer(
            external_id=f"C{number}",
            email=plan.email,
            first_name=plan.first_name,
            last_name=plan.last_name,
            is_guest=plan.is_guest,
            language=plan.language,
            created_at=plan.created_at,
        )
        customer.names_fold().save(force_insert=True)
        plan.row = customer


def _create_orders(orders: list[OrderPlan], states: dict[str, OrderState]) -> None:
    history: list[OrderHistory] = []
    for number, plan in enumerate(sorted(orders, key=lambda o: o.created_at), start=5001):
        last_state = states[plan.history[-1][0]]
        assert plan.customer.row is not None
        plan.row = Order.objects.create(
            external_id=f"O{number}",
            reference=plan.reference,
            customer=plan.customer.row,
            created_at=plan.created_at,
            currency="EUR",
            total_paid=plan.total,
            total_paid_shop_currency=plan.total,
            valid=last_state.counts_as_valid,
            language=plan.customer.language,
            current_state=last_state,
        )
        history += [
            OrderHistory(order=plan.row, state=states[key], created_at=at)
            for key, at in plan.history
        ]
    OrderHistory.objects.bulk_create(history)


def _contacts() -> dict[ContactKey, Contact | None]:
    default_contacts_ensure()
    contacts = list(Contact.objects.all())
    webmaster = next((c for c in contacts if c.name.get("en") == "Webmaster"), None)
    service = next(
        (c for c in contacts if c.name.get("en") == "Customer service"),
        next((c for c in contacts if c is not webmaster), None),
    )
    return {"service": service, "webmaster": webmaster}


def demo_load(
    *, admin_password: str, agent_passwords: Mapping[str, str] | None = None, seed: int = 7
) -> str:
    """Load the demo shop in one transaction; returns a one-line summary of what was created.

    ``agent_passwords`` gives agents (by e-mail) a password; an agent without one cannot sign in.
    """
    since = timezone.now()
    now = since - timedelta(minutes=1)
    plan = make_plan(seed, now)
    with transaction.atomic():
        admin, agents = _create_team(now, admin_password, agent_passwords or {})
        states = _create_order_states()
        _create_order_messages()
        _create_customers(plan.customers)
        _create_orders(plan.orders, states)
        options = DeskSettings.load()
        desk = Desk(
            admin=admin,
            agents=agents,
            contacts=_contacts(),
            default_messages={lang: options.default_message_in(lang) for lang in LANGUAGES},
            since=since,
        )
        thread_ids = [thread_play(plan=thread_plan, desk=desk) for thread_plan in plan.threads]
        # Anything a service queued that no step moved (none today): recorded as sent as well.
        OutboundEmail.objects.filter(thread_id__in=thread_ids, status=EmailStatus.QUEUED).update(
            status=EmailStatus.SENT, attempts=1, sent_at=now
        )
        messages = Message.objects.filter(thread_id__in=thread_ids).count()
    return (
        f"{len(plan.customers)} customers, {len(plan.orders)} orders, {len(thread_ids)} threads, "
        f"{messages} messages, {len(EMPLOYEES)} employees"
    )
