"""Variables in saved replies and predefined order messages: ``{customer_first_name}`` and co.

Rendering is one plain substitution from an allow-list (``VARIABLES``): a ``{word}`` that names a
known variable is replaced by that variable's value, a string computed beforehand; any other
``{word}``, and every other brace, stays as typed. There is no template engine and no attribute
access, so a text can reach nothing but the values listed here.

A known variable without a value (no order on the thread, no tracking number in the shop's data)
stays in the text as typed: it is the visible mark the agent fills in, and ``thread_reply``
refuses a text that still holds one (``variables_unfilled``), so it never reaches a customer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

from comptoir.lib.money import format_money
from comptoir.shop.models import Customer, Order
from comptoir.staff.models import Employee

VARIABLES = (
    "customer_first_name",
    "customer_last_name",
    "order_reference",
    "order_status",
    "order_total",
    "tracking_number",  # known, but the shop's data has no tracking number: always missing
    "employee_first_name",
    "shop_name",
)
# PrestaShop's order messages write these.
ALIASES = {"firstname": "customer_first_name", "lastname": "customer_last_name"}
_WORD = re.compile(r"\{([a-z_]{1,40})\}")


@dataclass(frozen=True)
class Filled:
    """A text with its variables replaced, and the known variables that had no value."""

    text: str
    missing: tuple[str, ...]


def variables_shown() -> list[str]:
    """The variables as an employee writes them, for the forms' hints."""
    return [f"{{{name}}}" for name in VARIABLES]


def _known(word: str) -> str | None:
    name = ALIASES.get(word, word)
    return name if name in VARIABLES else None


def variables_fill(text: str, values: Mapping[str, str]) -> Filled:
    """``text`` with each known ``{variable}`` replaced by its value in ``values``.

    One pass: a value that itself looks like ``{variable}`` is not replaced again. A known
    variable whose value is missing or blank stays as typed and is named in ``missing``.
    """
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = _known(match.group(1))
        if name is None:
            return match.group(0)
        value = values.get(name, "")
        if value.strip():
            return value
        if name not in missing:
            missing.append(name)
        return match.group(0)

    return Filled(text=_WORD.sub(replace, text), missing=tuple(missing))


def variables_unfilled(text: str) -> tuple[str, ...]:
    """The known variables still written in ``text`` (as typed: ``{firstname}`` included)."""
    found: list[str] = []
    for match in _WORD.finditer(text):
        if _known(match.group(1)) is not None and match.group(0) not in found:
            found.append(match.group(0))
    return tuple(found)


def variable_values(
    *,
    customer: Customer | None,
    order: Order | None,
    employee: Employee | None,
    language: str,
) -> dict[str, str]:
    """The variables' values for a thread or an order, written for ``language``.

    Only values that exist are returned; the rest are missing.
    """
    values: dict[str, str] = {"shop_name": settings.COMPTOIR_SHOP_NAME}
    if customer is not None:
        values["customer_first_name"] = customer.first_name
        values["customer_last_name"] = customer.last_name
    if order is not None:
        values["order_reference"] = order.reference
        values["order_total"] = format_money(order.total_paid, order.currency, language)
        if order.current_state is not None:
            values["order_status"] = order.current_state.name_in(language)
    if employee is not None:
        values["employee_first_name"] = employee.first_name
    return {name: value for name, value in values.items() if value.strip()}
