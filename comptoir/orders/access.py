"""Loading an order or a customer for an employee (every employee may see them all today)."""

from __future__ import annotations

from django.http import Http404

from comptoir.shop.models import Customer, Order
from comptoir.staff.models import Employee


def order_get_for_employee(employee: Employee, pk: int) -> Order:
    """The order, with its customer and current state, if the employee may see it; else 404."""
    try:
        return Order.objects.select_related("customer", "current_state").get(pk=pk)
    except Order.DoesNotExist:
        raise Http404 from None


def customer_get_for_employee(employee: Employee, pk: int) -> Customer:
    try:
        return Customer.objects.get(pk=pk)
    except Customer.DoesNotExist:
        raise Http404 from None
