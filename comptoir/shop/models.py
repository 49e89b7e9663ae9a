"""The shop's data shown beside a conversation: customers, orders and their status history.

Fed by the API, the CSV import or the demo data. ``external_id`` is the shop's own id, so a sync can
be re-run safely (upsert by it).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.lib.addresses import AddressField, email_normalize
from comptoir.lib.fold import fold
from comptoir.lib.i18n import localized


def _language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class CustomerQuerySet(models.QuerySet["Customer"]):
    def with_email(self, address: str) -> CustomerQuerySet:
        """Customers with this address, compared in its one stored form (``lib/addresses.py``:
        ASCII letters in any case, nothing else folded), through the email index."""
        return self.filter(email=address)

    def with_emails(self, addresses: Iterable[str]) -> CustomerQuerySet:
        """Customers with any of these addresses (see ``with_email``)."""
        return self.filter(email__in=sorted({email_normalize(a) for a in addresses}))


class Customer(models.Model):
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    email = AddressField(_("e-mail address"), db_index=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    # "first last" without case or accents (``lib.fold``), what the desk's filters match:
    # written by ``names_fold()``, which every place writing the names calls.
    name_folded = models.CharField(max_length=301, blank=True, editable=False)
    is_guest = models.BooleanField(_("guest"), default=False)
    language = models.CharField(_("language"), max_length=8, choices=_language_choices)
    created_at = models.DateTimeField(_("customer since"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["updated_at", "id"], name="customer_updated")]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def names_fold(self) -> Customer:
        """Set ``name_folded`` from the names (not in ``save()``: the writers call it)."""
        self.name_folded = fold(self.full_name)
        return self

    def order_summary(self) -> dict[str, object]:
        """Valid orders count and total spent in the shop currency (one indexed query)."""
        totals = self.orders.aggregate(
            count=Count("id", filter=Q(valid=True)),
            spent=Sum("total_paid_shop_currency", filter=Q(valid=True)),
        )
        return {"count": totals["count"] or 0, "spent": totals["spent"] or Decimal("0")}


class OrderState(models.Model):
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    name = models.JSONField(_("name"), default=dict)
    color = models.CharField(_("colour"), max_length=7, default="#6c757d")
    counts_as_valid = models.BooleanField(_("validated order"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("order status")
        verbose_name_plural = _("order statuses")

    def __str__(self) -> str:
        return self.name_in(settings.LANGUAGE_CODE)

    def name_in(self, language: str) -> str:
        return localized(self.name, language, settings.LANGUAGE_CODE)


class Order(models.Model):
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=32, db_index=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer")
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    currency = models.CharField(_("currency"), max_length=3)
    total_paid = models.DecimalField(_("total paid"), max_digits=12, decimal_places=2)
    # The same total converted to the shop's currency at order time, for "total spent".
    total_paid_shop_currency = models.DecimalField(max_digits=12, decimal_places=2)
    valid = models.BooleanField(_("valid"), default=False)
    language = models.CharField(_("language"), max_length=8, choices=_language_choices)
    current_state = models.ForeignKey(
        OrderState, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["customer", "valid"], name="order_customer_valid"),
            models.Index(fields=["updated_at", "id"], name="order_updated"),
        ]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return self.reference


class OrderHistory(models.Model):
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    state = models.ForeignKey(OrderState, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="orderhistory_order_date")]
        verbose_name = _("order status change")
        verbose_name_plural = _("order status changes")

    def __str__(self) -> str:
        return f"{self.order_id} → {self.state_id}"
