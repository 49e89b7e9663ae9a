"""API keys, webhook subscriptions and their deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


class ApiKey(models.Model):
    """A key a shop's script presents as ``Authorization: Bearer ctk_<prefix>_<secret>``.

    Only the SHA-256 of the whole key is kept (it is random, so no slow hash is needed): the key
    is shown once, when it is created. The key acts as ``employee``: replies and status changes
    made with it are that employee's, and it stops working if the employee is deactivated.
    """

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.READ)
    # The personal-data operations (issue 22): "customers:export" and "customers:erase", each
    # given on purpose, never implied by the read or write scope.
    may_export_personal_data = models.BooleanField(_("May export personal data"), default=False)
    may_erase_personal_data = models.BooleanField(_("May erase personal data"), default=False)
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_keys",
        verbose_name=_("acts as"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.masked})"

    @property
    def masked(self) -> str:
        """What the back office shows of the key: enough to tell keys apart."""
        return f"ctk_{self.prefix}_…"

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.WRITE

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Webhook(models.Model):
    """A URL told about the topics it subscribes to (``threads.models.Topic``)."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    topics = models.JSONField(_("events"), default=list)
    # Fernet-sealed (lib.secretbox): needed in clear to sign each delivery.
    secret_sealed = models.TextField()
    # Off: URLs resolving to loopback, private or link-local addresses are refused.
    allow_private_network = models.BooleanField(_("Allow private network addresses"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one webhook: the exact body that is signed, and how its sending went."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    topic = models.CharField(_("event"), max_length=32)
    # Stable across retries: receivers use it to ignore a delivery they already handled.
    event_id = models.CharField(max_length=36)
    body = models.TextField()
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # The worker that claimed it last (its heartbeat name, ``lib.queue``): a row held by a worker
    # whose heartbeat fell silent is claimed again without waiting for the lease.
    claimed_by = models.CharField(max_length=128, blank=True, default="")
    response_status = models.PositiveSmallIntegerField(_("response"), null=True, blank=True)
    response_body = models.TextField(blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhookdelivery_due"),
            models.Index(fields=["webhook", "-id"], name="webhookdelivery_webhook"),
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.topic} to webhook {self.webhook_id} ({self.status})"
