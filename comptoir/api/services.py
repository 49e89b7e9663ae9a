"""Changes to API keys and webhooks (administrators, from the back office)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comptoir.api.keys import key_generate
from comptoir.api.models import ApiKey, DeliveryStatus, Scope, Webhook, WebhookDelivery
from comptoir.lib.secretbox import seal, unseal
from comptoir.staff.models import Employee


def api_key_create(
    *,
    name: str,
    scope: Scope,
    employee: Employee,
    created_by: Employee,
    may_export_personal_data: bool = False,
    may_erase_personal_data: bool = False,
) -> tuple[ApiKey, str]:
    """A new key acting as ``employee``; returns the row and the clear key, to show once. The
    personal-data rights (customers:export, customers:erase) are given only on purpose."""
    new = key_generate()
    key = ApiKey.objects.create(
        name=name.strip(),
        prefix=new.prefix,
        secret_hash=new.secret_hash,
        scope=scope,
        employee=employee,
        created_by=created_by,
        may_export_personal_data=may_export_personal_data,
        may_erase_personal_data=may_erase_personal_data,
    )
    return key, new.clear


def api_key_revoke(*, key: ApiKey, employee: Employee) -> bool:
    """Revoke the key for good; False when it already was."""
    revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=employee
    )
    return bool(revoked)


def webhook_secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_secret(webhook: Webhook) -> str:
    return unseal(webhook.secret_sealed, secret_key=settings.SECRET_KEY)


def webhook_create(
    *,
    url: str,
    topics: Sequence[str],
    description: str,
    allow_private_network: bool,
    created_by: Employee,
) -> tuple[Webhook, str]:
    """A new subscription; returns it and its signing secret, shown once."""
    secret = webhook_secret_new()
    webhook = Webhook.objects.create(
        url=url,
        topics=list(topics),
        description=description.strip(),
        allow_private_network=allow_private_network,
        secret_sealed=seal(secret, secret_key=settings.SECRET_KEY),
        created_by=created_by,
    )
    return webhook, secret


def webhook_update(
    *,
    webhook: Webhook,
    url: str,
    topics: Sequence[str],
    description: str,
    allow_private_network: bool,
    is_active: bool,
) -> Webhook:
    webhook.url = url
    webhook.topics = list(topics)
    webhook.description = description.strip()
    webhook.allow_private_network = allow_private_network
    webhook.is_active = is_active
    webhook.save()
    return webhook


def webhook_secret_rotate(*, webhook: Webhook) -> str:
    """A new signing secret (the old one stops working at once); returns it, shown once."""
    secret = webhook_secret_new()
    webhook.secret_sealed = seal(secret, secret_key=settings.SECRET_KEY)
    webhook.save(update_fields=["secret_sealed", "updated_at"])
    return secret


@transaction.atomic
def webhook_delete(*, webhook: Webhook) -> None:
    webhook.delete()


def webhook_delivery_retry(*, delivery: WebhookDelivery) -> bool:
    """Send a failed delivery again now; False when it had not failed."""
    retried = WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
    return bool(retried)
