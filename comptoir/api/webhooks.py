"""Webhooks: events of the threads, told to the URLs that subscribed to them.

Two worker steps. ``webhooks_dispatch`` turns each ``OutboundEvent`` the services wrote into one
``WebhookDelivery`` per subscribed webhook (the JSON body is fixed then, and signed as it is) and
deletes the event. ``webhooks_deliver`` POSTs due deliveries: a 2xx answer is success; anything
else (another status, a timeout, a refused address) is retried with back-off, then marked failed
with the last answer kept for the administrator.

Each request carries ``Comptoir-Signature: t=<unix time>,v1=<hex>``, the HMAC-SHA256 with the
webhook's secret of ``"<t>.<body>"``: a receiver recomputes it, compares in constant time, and
refuses a timestamp more than a few minutes old (a replayed request).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from comptoir.api.models import DeliveryStatus, Webhook, WebhookDelivery
from comptoir.api.schemas import MessageOut, ThreadOut
from comptoir.api.services import webhook_secret
from comptoir.lib import netguard
from comptoir.lib.queue import LEASE, held_by_silent, retry_delay, rows_claim
from comptoir.threads.models import Message, OutboundEvent, Thread

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
USER_AGENT = "comptoir-webhooks/1"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_valid(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """What a receiver does (used by the tests, and a reference for shops' own code)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, header)


def _payloads(events: list[OutboundEvent]) -> dict[int, dict[str, Any]]:
    """The ``data`` of each event: the thread and message as the API shows them now."""
    threads = Thread.objects.select_related("customer", "order").in_bulk(
        {e.thread_id for e in events}
    )
    messages = (
        Message.objects.select_related("outbound_email")
        .prefetch_related("attachments")
        .in_bulk({e.message_id for e in events if e.message_id})
    )
    payloads = {}
    for event in events:
        thread = threads.get(event.thread_id)
        message = messages.get(event.message_id) if event.message_id else None
        payloads[event.pk] = {
            "thread_id": event.thread_id,
            "thread": ThreadOut.from_orm(thread).model_dump(mode="json") if thread else None,
            "message": MessageOut.from_orm(message).model_dump(mode="json") if message else None,
            "employee_id": event.employee_id,
            **event.data,
        }
    return payloads


def listened_topics() -> set[str]:
    """The topics the active webhooks subscribe to (the services write only those events)."""
    found = Webhook.objects.filter(is_active=True).values_list("topics", flat=True)
    return {str(topic) for topics in found for topic in topics or ()}


def webhooks_dispatch(*, limit: int = 200) -> int:
    """Fan the oldest events out to the webhooks subscribed to them; returns how many events."""
    with transaction.atomic():
        pending = OutboundEvent.objects.order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        events = list(pending[:limit])
        if not events:
            return 0
        hooks = list(Webhook.objects.filter(is_active=True))
        heard = [e for e in events if any(e.topic in hook.topics for hook in hooks)]
        data = _payloads(heard) if heard else {}
        deliveries = []
        for event in heard:
            event_id = str(uuid.uuid4())
            body = json.dumps(
                {
                    "id": event_id,
                    "type": event.topic,
                    "created_at": event.created_at.isoformat(),
                    "data": data[event.pk],
                },
                ensure_ascii=False,
                separators=(",", ":"),
            )
            deliveries += [
                WebhookDelivery(webhook=hook, topic=event.topic, event_id=event_id, body=body)
                for hook in hooks
                if event.topic in hook.topics
            ]
        WebhookDelivery.objects.bulk_create(deliveries)
        OutboundEvent.objects.filter(pk__in=[e.pk for e in events]).delete()
    return len(events)


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0


def _claim(
    limit: int, worker_name: str = "", silent_workers: QuerySet[Any] | None = None
) -> list[WebhookDelivery]:
    """The due deliveries: pending ones whose time has come, and those left ``sending`` by a
    worker that died (its lease over, or its heartbeat silent: ``lib.queue``)."""
    now = timezone.now()
    abandoned = Q(lease_expires_at__lt=now) | held_by_silent(silent_workers)
    due = WebhookDelivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        | (Q(status=DeliveryStatus.SENDING) & abandoned)
    ).order_by("next_attempt_at", "id")
    mark = {"status": DeliveryStatus.SENDING, "lease_expires_at": now + LEASE}
    return rows_claim(due, limit=limit, mark=mark, claimer=worker_name)


# One delivery never takes longer than this, however slowly the receiver answers; the deliveries
# of a batch go out side by side, so a batch takes about that long at most.
DELIVERY_DEADLINE_SECONDS = 15.0
SENDERS = 8


def _request(delivery: WebhookDelivery, hook: Webhook) -> tuple[str, bytes, dict[str, str], bool]:
    """What to POST (read here, in the calling thread: the sending threads use no database)."""
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Comptoir-Event": delivery.topic,
        "Comptoir-Event-Id": delivery.event_id,
        "Comptoir-Delivery": str(delivery.pk),
        "Comptoir-Signature": signature(webhook_secret(hook), int(time.time()), body),
    }
    return hook.url, body, headers, hook.allow_private_network


def _post(request: tuple[str, bytes, dict[str, str], bool]) -> tuple[netguard.Response | None, str]:
    url, body, headers, allow_private = request
    try:
        answer = netguard.post(
            url,
            body=body,
            headers=headers,
            allow_private=allow_private,
            deadline=DELIVERY_DEADLINE_SECONDS,
        )
    except netguard.AddressRefused as exc:
        return None, f"refused: {exc}"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    if not 200 <= answer.status < 300:
        return answer, f"HTTP {answer.status}"
    return answer, ""


def _record(
    delivery: WebhookDelivery, answer: netguard.Response | None, error: str, *, final: bool
) -> str:
    now = timezone.now()
    delivery.lease_expires_at = None  # the attempt was counted when the row was claimed
    delivery.response_status = answer.status if answer else None
    delivery.response_body = answer.body if answer else ""
    delivery.last_error = error[:2000]
    if answer is not None and 200 <= answer.status < 300:
        delivery.status, delivery.delivered_at, delivery.last_error = (
            DeliveryStatus.DELIVERED,
            now,
            "",
        )
        outcome = "delivered"
    elif final or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        outcome = "failed"
    else:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        outcome = "retried"
    delivery.save(
        update_fields=[
            "attempts",
            "lease_expires_at",
            "response_status",
            "response_body",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return outcome


def webhooks_deliver(
    *, limit: int = 20, worker_name: str = "", silent_workers: QuerySet[Any] | None = None
) -> DeliveryReport:
    """POST what is due now, the deliveries of the batch side by side. Safe to run in several
    workers at once. ``worker_name``: the calling worker's heartbeat name ("" for a one-off
    caller); ``silent_workers``: the heartbeat names of the workers taken for dead (a subquery,
    from the worker, which knows the heartbeats: ``api`` does not import ``mail``)."""
    report = DeliveryReport()
    claimed = _claim(limit, worker_name, silent_workers)
    hooks = Webhook.objects.in_bulk({delivery.webhook_id for delivery in claimed})
    requests = {}
    for delivery in claimed:
        hook = hooks.get(delivery.webhook_id)
        if hook is not None and hook.is_active:
            requests[delivery.pk] = _request(delivery, hook)
    answers: dict[int, tuple[netguard.Response | None, str]] = {}
    if requests:
        with ThreadPoolExecutor(max_workers=min(SENDERS, len(requests))) as pool:
            answers = dict(zip(requests, pool.map(_post, requests.values()), strict=True))
    for delivery in claimed:
        hook = hooks.get(delivery.webhook_id)
        answer, error, final = None, "the webhook is turned off", True
        if delivery.pk in answers:
            (answer, error), final = answers[delivery.pk], False
        if error:
            log.warning("webhook delivery %s to %s: %s", delivery.pk, hook and hook.url, error)
        outcome = _record(delivery, answer, error, final=final)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def webhook_ping(*, webhook: Webhook) -> WebhookDelivery:
    """A ``ping`` delivery, queued now, to check a webhook from the back office."""
    event_id = str(uuid.uuid4())
    body = json.dumps(
        {
            "id": event_id,
            "type": "ping",
            "created_at": timezone.now().isoformat(),
            "data": {"site": settings.COMPTOIR_SITE_URL},
        },
        separators=(",", ":"),
    )
    return WebhookDelivery.objects.create(
        webhook=webhook, topic="ping", event_id=event_id, body=body
    )
