"""What employees are told about (a customer wrote in their thread, a thread was given to them,
a colleague mentioned them, a snoozed thread came back), and how each of them wants to be told.

A notification is a row: the desk's bell counts the unread ones, and the worker e-mails it when
``email_due_at`` comes (at once, or gathered in an hourly or daily digest). Threads are named by
their model label only: this app lies to the right of ``threads`` (it never imports it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    CUSTOMER_MESSAGE = "customer_message", _("A customer wrote in my thread")
    ASSIGNED = "assigned", _("A thread was assigned to me")
    FORWARDED = "forwarded", _("A thread was forwarded to me")
    MENTIONED = "mentioned", _("A colleague mentioned me in a private note")
    SNOOZE_ENDED = "snooze_ended", _("A snoozed thread came back")


class Delivery(models.TextChoices):
    NOW = "now", _("Immediately")
    HOURLY = "hourly", _("In an hourly digest")
    DAILY = "daily", _("In a daily digest")
    NEVER = "never", _("Never")


class NotificationPreference(models.Model):
    """How one employee wants to be told of each kind (no row: immediately, for every kind).

    Forwarded threads follow the choice for assigned ones (a forward also assigns)."""

    employee = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    customer_message = models.CharField(
        _("A customer wrote in my thread"),
        max_length=8,
        choices=Delivery.choices,
        default=Delivery.NOW,
    )
    assigned = models.CharField(
        _("A thread was assigned or forwarded to me"),
        max_length=8,
        choices=Delivery.choices,
        default=Delivery.NOW,
    )
    mentioned = models.CharField(
        _("A colleague mentioned me in a private note"),
        max_length=8,
        choices=Delivery.choices,
        default=Delivery.NOW,
    )
    snooze_ended = models.CharField(
        _("A snoozed thread came back"),
        max_length=8,
        choices=Delivery.choices,
        default=Delivery.NOW,
    )

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"notification preferences of {self.employee_id}"

    def delivery_of(self, kind: str) -> str:
        field = "assigned" if kind == NotificationKind.FORWARDED else kind
        return str(getattr(self, field))


class Notification(models.Model):
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    thread = models.ForeignKey("threads.Thread", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "threads.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    excerpt = models.CharField(max_length=200, blank=True)
    # What it is about, once: "<kind>:<what happened>:<employee>". A second attempt to write
    # the same notification is ignored.
    key = models.CharField(max_length=96, unique=True)
    delivery = models.CharField(max_length=8, choices=Delivery.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When the worker e-mails it (None: never, or already done).
    email_due_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["employee", "-id"], name="notification_list"),
            models.Index(fields=["employee", "read_at"], name="notification_unread"),
            models.Index(fields=["email_due_at"], name="notification_email_due"),
            models.Index(fields=["thread", "employee"], name="notification_thread"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind} for {self.employee_id} on thread {self.thread_id}"
