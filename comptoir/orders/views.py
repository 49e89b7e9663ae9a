"""The order page (details, status history, messages, "send a message") and the customer page.

Both run a fixed number of queries whatever the size of the data: every list is one query with
its related rows joined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from comptoir.lib.money import format_money
from comptoir.orders.access import customer_get_for_employee, order_get_for_employee
from comptoir.orders.forms import OrderMessagePostForm
from comptoir.orders.services import (
    ORDER_MESSAGE_MAX_LENGTH,
    order_message_post,
    order_messages_for_order,
)
from comptoir.shop.models import Order, OrderState
from comptoir.staff.access import employee_required, signed_in_employee
from comptoir.threads.access import threads_for_employee
from comptoir.threads.models import OrderMessage
from comptoir.threads.services import ThreadError
from comptoir.threads.variables import variable_values, variables_fill, variables_unfilled

# The customer page lists this many of the latest orders and threads.
CUSTOMER_LIST_LIMIT = 100
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
FALLBACK_COLOUR = "#6c757d"


@dataclass(frozen=True)
class StateBadge:
    """An order state as shown: its name in the page's language and a colour safe for SVG."""

    name: str
    colour: str

    @classmethod
    def of(cls, state: OrderState | None, language: str) -> StateBadge | None:
        if state is None:
            return None
        colour = state.color if _COLOUR.fullmatch(state.color) else FALLBACK_COLOUR
        return cls(name=state.name_in(language), colour=colour)


@dataclass(frozen=True)
class HistoryRow:
    created_at: datetime
    state: StateBadge | None


@dataclass(frozen=True)
class OrderRow:
    order: Order
    total: str
    state: StateBadge | None


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


@employee_required
@require_http_methods(["GET", "POST"])
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    order = order_get_for_employee(employee, pk)
    standard_messages = list(OrderMessage.objects.all())
    # Predefined texts in the ORDER's language: the customer reads them. Their variables
    # ({customer_first_name}, PrestaShop's {firstname}…) are filled from the order; one without
    # a value stays as typed, and the reply service refuses to send it.
    values = variable_values(
        customer=order.customer, order=order, employee=employee, language=order.language
    )
    filled = {
        str(m.pk): variables_fill(m.text_in(order.language), values) for m in standard_messages
    }
    standard_texts = {pk: text.text for pk, text in filled.items()}
    chosen = request.GET.get("use", "")
    if request.method == "GET" and chosen in filled and filled[chosen].missing:
        messages.warning(
            request,
            _("No value for %(variables)s: write the right text in its place before sending.")
            % {"variables": ", ".join(variables_unfilled(filled[chosen].text))},
        )
    status = 200
    if request.method == "POST":
        form = OrderMessagePostForm(request.POST)
        if form.is_valid():
            try:
                order_message_post(
                    order=order,
                    employee=employee,
                    text=form.cleaned_data["message"],
                    visible_to_customer=form.cleaned_data["visible"],
                )
            except ThreadError as exc:
                form.add_error("message", str(exc))
            else:
                messages.success(request, _("Comment successfully added."))
                return redirect(f"{reverse('orders:order', args=[order.pk])}#messages")
        status = 400
    else:
        form = OrderMessagePostForm(
            initial={"visible": True, "message": standard_texts.get(chosen, "")}
        )
    language = _language()
    history = [
        HistoryRow(created_at=row.created_at, state=StateBadge.of(row.state, language))
        for row in order.history.select_related("state").order_by("-created_at", "-id")
    ]
    context = {
        "order": order,
        "customer": order.customer,
        "total": format_money(order.total_paid, order.currency, language),
        "state": StateBadge.of(order.current_state, language),
        "history": history,
        "order_messages": list(order_messages_for_order(order)),
        "threads": list(threads_for_employee(employee).filter(order=order).order_by("-id")),
        "standard_messages": standard_messages,
        "standard_texts": standard_texts,
        "chosen": chosen,
        "form": form,
        "max_length": ORDER_MESSAGE_MAX_LENGTH,
    }
    return render(request, "orders/order.html", context, status=status)


@employee_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    customer = customer_get_for_employee(employee, pk)
    language = _language()
    summary = customer.order_summary()
    spent = summary["spent"]
    assert isinstance(spent, Decimal)  # order_summary() is typed dict[str, object]
    orders = list(
        customer.orders.select_related("current_state").order_by("-created_at", "-id")[
            : CUSTOMER_LIST_LIMIT + 1
        ]
    )
    threads = list(
        threads_for_employee(employee)
        .filter(customer=customer)
        .select_related("contact")
        .order_by("-last_message_at", "-id")[: CUSTOMER_LIST_LIMIT + 1]
    )
    context = {
        "customer": customer,
        "valid_orders": summary["count"],
        "spent": format_money(spent, settings.COMPTOIR_CURRENCY, language),
        "orders": [
            OrderRow(
                order=order,
                total=format_money(order.total_paid, order.currency, language),
                state=StateBadge.of(order.current_state, language),
            )
            for order in orders[:CUSTOMER_LIST_LIMIT]
        ],
        "more_orders": len(orders) > CUSTOMER_LIST_LIMIT,
        "threads": threads[:CUSTOMER_LIST_LIMIT],
        "more_threads": len(threads) > CUSTOMER_LIST_LIMIT,
        "limit": CUSTOMER_LIST_LIMIT,
    }
    return render(request, "orders/customer.html", context)
