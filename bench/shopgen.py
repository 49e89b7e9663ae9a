"""The generated shop's team, order states, customers and orders (``bench.generate`` writes its
threads on top of them)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from bench import textgen
from bench.bulk import Table
from comptoir.lib.fold import fold

LANGUAGE_WEIGHTS = [("en", 40), ("fr", 35), ("es", 25)]
AGENTS = [
    ("en", "Grace", "Hopper"),
    ("en", "Alan", "Kay"),
    ("fr", "Lucie", "Bernard"),
    ("fr", "Marc", "Petit"),
    ("es", "Javier", "Ortega"),
    ("es", "Rosa", "Vidal"),
]
ADMIN_EMAIL = "admin@bench.test"


def weighted(rng: random.Random, pairs: list[tuple]) -> object:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class Shop:
    now: datetime
    states: dict[str, object] = field(default_factory=dict)
    agents: dict[str, list[object]] = field(default_factory=dict)
    contacts: list[object] = field(default_factory=list)
    customers: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    orders_of: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    # Customer id → "first last" (the threads' search documents).
    names: dict[int, str] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)


def create_team(shop: Shop) -> None:
    from comptoir.staff.models import Role
    from comptoir.staff.services import employee_create

    employee_create(
        email=ADMIN_EMAIL,
        password=None,
        first_name="Ada",
        last_name="Admin",
        role=Role.ADMINISTRATOR,
        language="en",
    )
    for language, first, last in AGENTS:
        agent = employee_create(
            email=f"{first.lower()}@bench.test",
            password=None,
            first_name=first,
            last_name=last,
            language=language,
        )
        shop.agents.setdefault(language, []).append(agent)


def create_states(shop: Shop) -> None:
    from comptoir.demo import ORDER_STATES
    from comptoir.shop.models import OrderState

    for key, (names, colour, valid) in ORDER_STATES.items():
        shop.states[key] = OrderState.objects.create(
            name=names, color=colour, counts_as_valid=valid
        )


def create_customers(shop: Shop, rng: random.Random, count: int) -> None:
    from comptoir.shop.models import Customer

    table = Table(
        Customer,
        [
            "external_id",
            "email",
            "first_name",
            "last_name",
            "name_folded",
            "is_guest",
            "language",
            "created_at",
            "updated_at",
        ],
    )
    for number in range(count):
        language = weighted(rng, LANGUAGE_WEIGHTS)
        first, last, email = textgen.person(rng, language, number)
        since = shop.now - timedelta(days=rng.uniform(30, 1100))
        row_id = table.new_id()
        table.add(
            row_id,
            f"C{100000 + number}",
            email,
            first,
            last,
            fold(f"{first} {last}"),
            rng.random() < 0.15,
            language,
            since,
            since,
        )
        shop.customers.setdefault(language, []).append((row_id, email))
        shop.names[row_id] = f"{first} {last}"
    table.flush()


# (statuses an order goes through, weight)
ORDER_FATES = [
    (["accepted", "processing", "shipped", "delivered"], 60),
    (["awaiting", "accepted", "processing", "shipped", "delivered"], 14),
    (["awaiting", "canceled"], 8),
    (["accepted", "canceled"], 6),
    (["accepted", "processing", "shipped", "delivered", "refunded"], 8),
    (["accepted", "processing"], 4),
]


def create_orders(shop: Shop, rng: random.Random, count: int) -> None:
    from comptoir.shop.models import Order, OrderHistory

    orders = Table(
        Order,
        [
            "external_id",
            "reference",
            "customer",
            "created_at",
            "currency",
            "total_paid",
            "total_paid_shop_currency",
            "valid",
            "language",
            "current_state",
            "updated_at",
        ],
    )
    history = Table(OrderHistory, ["order", "state", "created_at"])
    everyone = [(pk, lang) for lang, rows in shop.customers.items() for pk, _email in rows]
    for number in range(count):
        customer_id, language = rng.choice(everyone)
        created = shop.now - timedelta(days=rng.uniform(0, 730))
        fate = weighted(rng, ORDER_FATES)
        total = Decimal(rng.randint(990, 38900)) / 100
        last = shop.states[fate[-1]]
        order_id = orders.new_id()
        reference = textgen.reference(rng)
        at = created
        for key in fate:
            history.add(history.new_id(), order_id, shop.states[key].pk, min(at, shop.now))
            at += timedelta(hours=rng.uniform(2, 72))
        orders.add(
            order_id,
            f"O{500000 + number}",
            reference,
            customer_id,
            created,
            "EUR",
            total,
            total,
            last.counts_as_valid,
            language,
            last.pk,
            min(at, shop.now),
        )
        shop.orders_of.setdefault(customer_id, []).append((order_id, reference))
    orders.flush()
    history.flush()
    shop.tables += [orders, history]
