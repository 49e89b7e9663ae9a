"""Customers' data rights: exports of what comptoir holds about a person, the audit rows of
erasures (without the personal data), and how long closed conversations and mail are kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.lib.addresses import AddressField
from comptoir.shop.models import Customer


class RetentionPolicy(models.Model):
    """How long things are kept, in days (empty: kept for ever). One row, applied daily by the
    worker (``privacy.services.retention_apply``)."""

    closed_threads_days = models.PositiveIntegerField(
        _("Closed conversations"), null=True, blank=True
    )
    inbound_mail_days = models.PositiveIntegerField(
        _("Original e-mails received"), null=True, blank=True
    )
    sent_mail_days = models.PositiveIntegerField(_("Copies of sent e-mails"), null=True, blank=True)
    webhook_bodies_days = models.PositiveIntegerField(
        _("Webhook delivery contents"), null=True, blank=True
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention")

    def __str__(self) -> str:
        return "retention"

    @classmethod
    def load(cls) -> RetentionPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class Via(models.TextChoices):
    DESK = "desk", _("Back office")
    API = "api", _("API")


class ErasureRecord(models.Model):
    """Who erased a person's data, when, and how much: no name, no address. ``reference`` is an
    HMAC of the address with the site's secret, so the shop can answer "was this address erased?"
    without the address being readable here."""

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    via = models.CharField(max_length=8, choices=Via.choices)
    reference = models.CharField(max_length=64, db_index=True)
    counts = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return f"erasure {self.pk} ({self.created_at:%Y-%m-%d})"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    BUILDING = "building", _("Being prepared")
    READY = "ready", _("Ready")
    DOWNLOADED = "downloaded", _("Downloaded")
    FAILED = "failed", _("Failed")


class ExportRequest(models.Model):
    """An export of one person's data, built at once when small, else by the worker; its file
    is downloaded once, by the employee who asked for it, then deleted."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A guest known only by an address (no customer row).
    email = AddressField(blank=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    storage_name = models.CharField(max_length=128, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "id"], name="export_status")]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status in {ExportStatus.READY, ExportStatus.DOWNLOADED} else 0
        return min(100, self.progress_done * 100 // self.progress_total)
