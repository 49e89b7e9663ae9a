"""The plan of the demo: everything decided first, in memory, from the seeded generator.

``make_plan`` touches no database: the same seed and ``now`` give the same customers, orders and
conversations (with their times, sources and message ids). ``load.py`` then writes it.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Literal

from django.conf import settings

from comptoir.demo.conversations import (
    STAGES,
    STEP_DELAY_HOURS,
    Script,
    Stage,
    Turn,
    cut_points,
    final_status,
)
from comptoir.demo.languages import Language, languages_load
from comptoir.demo.shop import (
    FREE_SHIPPING_FROM,
    LANGUAGES,
    LARGEST_ORDER,
    ORDER_FATES,
    PRICES,
    SHIPPING,
    STATE_GAP_HOURS,
    USER_AGENTS,
    money,
)
from comptoir.shop.models import Customer, Order
from comptoir.threads.models import Source, Status

THREAD_COUNT = 80
# How many threads in each language (the rest of THREAD_COUNT is Spanish).
THREADS_PER_LANGUAGE = {"en": 28, "fr": 28}

StepKind = Literal["open", "assign", "customer", "reply", "note", "mark", "forward"]


@dataclass
class CustomerPlan:
    first_name: str
    last_name: str
    language: str
    is_guest: bool
    email: str
    created_at: datetime
    orders: list[OrderPlan] = field(default_factory=list)
    row: Customer | None = None


@dataclass
class OrderPlan:
    customer: CustomerPlan
    reference: str
    total: Decimal
    created_at: datetime
    history: list[tuple[str, datetime]]
    row: Order | None = None


@dataclass
class Step:
    kind: StepKind
    turn: Turn | None
    at: datetime
    source: Source = Source.FORM
    message_id: str = ""


@dataclass
class ThreadPlan:
    script: Script
    start: datetime
    email: str
    customer: CustomerPlan | None
    order: OrderPlan | None
    values: dict[str, str]
    cut: int
    assign: bool
    ip_address: str
    user_agent: str
    first_source: Source
    steps: list[Step] = field(default_factory=list)
    with_attachment: bool = False

    @property
    def turns(self) -> tuple[Turn, ...]:
        return self.script.turns[: self.cut]


@dataclass
class DemoPlan:
    customers: list[CustomerPlan]
    orders: list[OrderPlan]
    threads: list[ThreadPlan]


def _hours(rng: random.Random, bounds: tuple[float, float]) -> timedelta:
    return timedelta(hours=rng.uniform(*bounds))


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum()).lower()


def _email(
    rng: random.Random, first: str, last: str, domains: Sequence[str], taken: set[str]
) -> str:
    first_part, last_part = _ascii(first), _ascii(last)
    patterns = (
        f"{first_part}.{last_part}",
        f"{first_part}{last_part}",
        f"{first_part[0]}{last_part}",
        f"{first_part}.{last_part}{rng.randint(70, 99)}",
        f"{first_part}_{last_part}",
    )
    local = rng.choice(patterns)
    domain = rng.choice(domains)
    email = f"{local}@{domain}"
    suffix = 2
    while email in taken:
        email = f"{local}{suffix}@{domain}"
        suffix += 1
    taken.add(email)
    return email


def _plan_customers(
    rng: random.Random, now: datetime, texts: dict[str, Language], taken: set[str]
) -> list[CustomerPlan]:
    people = [
        (person.first_name, person.last_name, language, person.is_guest)
        for language in LANGUAGES
        for person in texts[language].customers
    ]
    customers = []
    for first, last, language, is_guest in people:
        if is_guest:
            days = rng.uniform(10, 300)  # moved to their order's time when they get one
        elif rng.random() < 0.8:
            days = rng.uniform(240, 730)
        else:
            days = rng.uniform(40, 230)
        customers.append(
            CustomerPlan(
                first_name=first,
                last_name=last,
                language=language,
                is_guest=is_guest,
                email=_email(rng, first, last, texts[language].email_domains, taken),
                created_at=now - timedelta(days=days),
            )
        )
    return customers


def _order_total(rng: random.Random) -> Decimal:
    items = sum(
        (Decimal(rng.choice(PRICES)) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))),
        Decimal("0"),
    )
    if items < FREE_SHIPPING_FROM:
        items += SHIPPING
    return min(items, LARGEST_ORDER)


def _reference(rng: random.Random, taken: set[str]) -> str:
    while True:
        reference = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(9))
        if reference not in taken:
            taken.add(reference)
            return reference


def _chain_from(
    rng: random.Random, keys: Sequence[str], first_at: datetime
) -> list[tuple[str, datetime]]:
    """Statuses ``keys`` one after the other from ``first_at``, with realistic gaps."""
    history = [(keys[0], first_at)]
    for previous, key in pairwise(keys):
        history.append((key, history[-1][1] + _hours(rng, STATE_GAP_HOURS[(previous, key)])))
    return history


def _until(history: list[tuple[str, datetime]], now: datetime) -> list[tuple[str, datetime]]:
    """What has happened by now (the first status always has)."""
    limit = now - timedelta(minutes=5)
    return history[:1] + [(key, at) for key, at in history[1:] if at < limit]


def _thread_order_history(
    rng: random.Random, stage: Stage, thread_at: datetime, now: datetime
) -> tuple[datetime, list[tuple[str, datetime]]]:
    """(order date, status history) of an order a customer writes about at ``thread_at``."""
    keys, anchor, delay, resume = STAGES[stage]
    if stage in ("in_transit", "delivered", "refund") and rng.random() < 0.2:
        keys, anchor = ("awaiting", *keys), anchor + 1
    gaps = [_hours(rng, STATE_GAP_HOURS[pair]) for pair in pairwise(keys[: anchor + 1])]
    first_at = thread_at - _hours(rng, delay) - sum(gaps, timedelta())
    history = [(keys[0], first_at)]
    for key, gap in zip(keys[1 : anchor + 1], gaps, strict=True):
        history.append((key, history[-1][1] + gap))
    if anchor + 1 < len(keys) and resume is not None:
        history += _chain_from(rng, keys[anchor + 1 :], thread_at + _hours(rng, resume))
    return first_at - timedelta(minutes=rng.uniform(0.5, 3)), _until(history, now)


def _buyer(
    rng: random.Random, customers: list[CustomerPlan], language: str, ordered_at: datetime
) -> CustomerPlan:
    """Who placed an order at ``ordered_at``: a registered customer, or a guest checking out."""
    registered = [
        c
        for c in customers
        if c.language == language
        and not c.is_guest
        and c.created_at < ordered_at - timedelta(days=1)
        and len(c.orders) < 4
    ]
    guests = [c for c in customers if c.language == language and c.is_guest and not c.orders]
    if guests and (not registered or rng.random() < 0.3):
        guest = rng.choice(guests)
        guest.created_at = ordered_at - timedelta(minutes=rng.uniform(3, 25))
        return guest
    if registered:
        return rng.choice(registered)
    oldest = min(
        (c for c in customers if c.language == language and not c.is_guest),
        key=lambda c: c.created_at,
    )
    oldest.created_at = min(oldest.created_at, ordered_at - timedelta(days=30))
    return oldest


def _add_order(
    rng: random.Random,
    customer: CustomerPlan,
    created_at: datetime,
    history: list[tuple[str, datetime]],
    references: set[str],
) -> OrderPlan:
    order = OrderPlan(
        customer=customer,
        reference=_reference(rng, references),
        total=_order_total(rng),
        created_at=created_at,
        history=history,
    )
    customer.orders.append(order)
    return order


def _fill_orders(
    rng: random.Random, customers: list[CustomerPlan], now: datetime, references: set[str]
) -> None:
    """Orders nobody wrote about: 0 to 4 per registered customer, one per guest."""
    weights = [weight for weight, _keys in ORDER_FATES]
    fates = [keys for _weight, keys in ORDER_FATES]
    for customer in customers:
        wanted = 1 if customer.is_guest else rng.choice((0, 0, 1, 1, 1, 2, 2, 3))
        for _ in range(wanted - len(customer.orders)):
            if customer.is_guest:
                created_at = customer.created_at + timedelta(minutes=rng.uniform(3, 25))
            else:
                earliest = customer.created_at + timedelta(days=1)
                span = (now - timedelta(hours=2) - earliest).total_seconds()
                created_at = earliest + timedelta(seconds=span * rng.random() ** 0.8)
            keys = rng.choices(fates, weights)[0]
            first_at = created_at + timedelta(minutes=rng.uniform(0.5, 3))
            history = _until(_chain_from(rng, keys, first_at), now)
            _add_order(rng, customer, created_at, history, references)


def _thread_starts(rng: random.Random, now: datetime) -> list[datetime]:
    """When each conversation began, oldest first: some in the last days, most over months."""
    recent = [rng.uniform(0.04, 3.0) for _ in range(10)]
    older = [3.0 + 177.0 * rng.random() ** 1.6 for _ in range(THREAD_COUNT - len(recent))]
    return sorted(now - timedelta(days=days) for days in recent + older)


def _thread_languages(rng: random.Random) -> list[str]:
    english, french = THREADS_PER_LANGUAGE["en"], THREADS_PER_LANGUAGE["fr"]
    languages = ["en"] * english + ["fr"] * french + ["es"] * (THREAD_COUNT - english - french)
    rng.shuffle(languages)
    return languages


def _choose_cut(rng: random.Random, script: Script, age: timedelta) -> int:
    points = cut_points(script)
    if age < timedelta(days=1):
        return 1 if rng.random() < 0.6 else rng.choice(points)
    if age < timedelta(days=4):
        return rng.choice(points)
    stalled = [p for p in points[:-1] if script.turns[p - 1].kind == "reply"]
    if stalled and rng.random() < 0.1:
        return rng.choice(stalled)  # the customer never came back
    return len(script.turns)


def _ensure_every_status(threads: list[ThreadPlan]) -> None:
    """If a status is missing, stop a recent conversation where it has that status."""
    for wanted in Status:
        finals = [final_status(plan.turns) for plan in threads]
        if wanted in finals:
            continue
        for plan in reversed(threads):
            if finals.count(final_status(plan.turns)) < 2:
                continue
            points = cut_points(plan.script)
            cut = next((p for p in points if final_status(plan.script.turns[:p]) == wanted), None)
            if cut is not None:
                plan.cut = cut
                break


def _plan_steps(rng: random.Random, plan: ThreadPlan, now: datetime) -> list[Step]:
    """The steps of a thread with their times, squeezed to end before now if needed."""
    turns = plan.turns
    kinds: list[tuple[StepKind, Turn | None]] = [("open", turns[0])]
    if plan.assign:
        kinds.append(("assign", None))
    kinds += [(turn.kind, turn) for turn in turns[1:]]
    delays = [_hours(rng, STEP_DELAY_HOURS[kind]) for kind, _turn in kinds[1:]]
    latest = now - timedelta(minutes=rng.uniform(3, 40))
    total = sum(delays, timedelta())
    if total and plan.start + total > latest:
        factor = (latest - plan.start) / total
        delays = [delay * factor for delay in delays]
    domain = plan.email.rpartition("@")[2]
    steps = []
    at = plan.start
    for index, (kind, turn) in enumerate(kinds):
        if index:
            at += delays[index - 1]
        source = plan.first_source
        if kind == "customer":
            source = Source.EMAIL if rng.random() < 0.6 else Source.FORM
        message_id = ""
        if kind in ("open", "customer") and source == Source.EMAIL:
            message_id = f"<{rng.getrandbits(64):016x}.{rng.getrandbits(24):06x}@mail.{domain}>"
        steps.append(Step(kind=kind, turn=turn, at=at, source=source, message_id=message_id))
    return steps


def _plan_threads(
    rng: random.Random,
    now: datetime,
    customers: list[CustomerPlan],
    visitors: dict[str, list[tuple[str, str, str]]],
    texts: dict[str, Language],
    references: set[str],
) -> list[ThreadPlan]:
    queues: dict[str, list[Script]] = {language: [] for language in LANGUAGES}
    threads = []
    for start, language in zip(_thread_starts(rng, now), _thread_languages(rng), strict=True):
        if not queues[language]:
            scripts = texts[language].scripts
            queues[language] = rng.sample(scripts, len(scripts))
        script = queues[language].pop()
        customer: CustomerPlan | None = None
        order: OrderPlan | None = None
        if script.stage is not None:
            created_at, history = _thread_order_history(rng, script.stage, start, now)
            customer = _buyer(rng, customers, language, created_at)
            order = _add_order(rng, customer, created_at, history, references)
        else:
            known = [
                c
                for c in customers
                if c.language == language
                and not c.is_guest
                and c.created_at < start - timedelta(days=1)
            ]
            if known and rng.random() < 0.65:
                customer = rng.choice(known)
        if customer is not None:
            first, last, email = customer.first_name, customer.last_name, customer.email
        else:
            first, last, email = rng.choice(visitors[language])
        values = {
            "first": first,
            "last": last,
            "ref": order.reference if order else "",
            "amount": money(order.total, language) if order else "",
            "tracking": texts[language].tracking_prefix + str(rng.randrange(10**10, 10**11) * 10),
            "code": f"{texts[language].code_prefix}-{rng.randrange(16**4):04X}",
            "shop": settings.COMPTOIR_SHOP_NAME,
        }
        source = Source.EMAIL if rng.random() < 0.35 else Source.FORM
        threads.append(
            ThreadPlan(
                script=script,
                start=start,
                email=email,
                customer=customer,
                order=order,
                values=values,
                cut=_choose_cut(rng, script, now - start),
                assign=rng.random() < (0.35 if language == "en" else 0.6),
                ip_address=f"203.0.113.{rng.randint(2, 254)}",
                user_agent=rng.choice(USER_AGENTS),
                first_source=source,
            )
        )
    _ensure_every_status(threads)
    for plan in threads:
        plan.steps = _plan_steps(rng, plan, now)
        # Every conversation sends the file its customer says is attached, not only the first
        # conversation told from that script.
        plan.with_attachment = any(turn.attachment for turn in plan.turns)
    return threads


def make_plan(seed: int, now: datetime) -> DemoPlan:
    """Everything the demo will contain, decided from ``seed`` without touching the database."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    emails: set[str] = set()
    references: set[str] = set()
    texts = languages_load()
    customers = _plan_customers(rng, now, texts, emails)
    visitors: dict[str, list[tuple[str, str, str]]] = {language: [] for language in LANGUAGES}
    for language in LANGUAGES:
        domains = texts[language].email_domains
        for person in texts[language].visitors:
            first, last = person.first_name, person.last_name
            visitors[language].append((first, last, _email(rng, first, last, domains, emails)))
    threads = _plan_threads(rng, now, customers, visitors, texts, references)
    _fill_orders(rng, customers, now, references)
    orders = [order for customer in customers for order in customer.orders]
    return DemoPlan(customers=customers, orders=orders, threads=threads)
