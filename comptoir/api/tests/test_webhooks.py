"""Webhooks: signed deliveries to a real HTTP server on loopback, retries, the address guard."""

from __future__ import annotations

import ipaddress
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from comptoir.api.models import DeliveryStatus, Webhook, WebhookDelivery
from comptoir.api.services import webhook_create, webhook_delivery_retry
from comptoir.api.webhooks import (
    MAX_ATTEMPTS,
    signature_valid,
    webhooks_deliver,
    webhooks_dispatch,
)
from comptoir.lib import netguard
from comptoir.testing import make_thread
from comptoir.threads import arrivals, services
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import OutboundEvent, Source, Status, Topic

pytestmark = pytest.mark.django_db
ALL_TOPICS = [topic.value for topic in Topic]


def subscribe(url: str, *, allow_private: bool = True, topics=None, who=None):
    return webhook_create(
        url=url,
        topics=topics or ALL_TOPICS,
        description="Shop",
        allow_private_network=allow_private,
        created_by=who,
    )


def run_worker() -> None:
    webhooks_dispatch()
    webhooks_deliver()


def test_a_new_thread_is_delivered_signed_to_a_real_server(receiver, charlie):
    _webhook, secret = subscribe(receiver.url, who=charlie, topics=["thread.created"])
    thread = make_thread(text="Where is my parcel?")
    run_worker()
    assert len(receiver.received) == 1
    request = receiver.received[0]
    headers, body = request["headers"], request["body"]
    assert signature_valid(secret, headers["Comptoir-Signature"], body)
    assert not signature_valid("whsec_other", headers["Comptoir-Signature"], body)
    assert not signature_valid(secret, headers["Comptoir-Signature"], body + b" ")
    payload = json.loads(body)
    assert payload["type"] == "thread.created" == headers["Comptoir-Event"]
    assert payload["id"] == headers["Comptoir-Event-Id"]
    assert payload["data"]["thread"]["id"] == thread.pk
    assert payload["data"]["message"]["text"] == "Where is my parcel?"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_status) == (DeliveryStatus.DELIVERED, 200)
    assert delivery.response_body == "thanks"
    assert not OutboundEvent.objects.exists()


def test_each_topic_reaches_only_its_subscribers(receiver, charlie, bob):
    subscribe(receiver.url, who=charlie, topics=["reply.sent", "thread.status_changed"])
    thread = make_thread()
    arrivals.thread_receive(
        thread=thread, incoming=CustomerMessage(text="Any news?", source=Source.FORM)
    )
    services.thread_reply(thread=thread, employee=bob, text="Yes", status_after=Status.PENDING1)
    run_worker()
    types = [json.loads(r["body"])["type"] for r in receiver.received]
    assert sorted(types) == ["reply.sent", "thread.status_changed"]
    bodies = [json.loads(r["body"]) for r in receiver.received]
    status = next(b for b in bodies if b["type"] == "thread.status_changed")
    assert (status["data"]["old"], status["data"]["new"]) == ("open", "pending1")
    assert status["data"]["employee_id"] == bob.pk


def test_a_500_is_retried_with_back_off_then_delivered_once(receiver, charlie):
    receiver.statuses = [500]
    subscribe(receiver.url, who=charlie, topics=["thread.created"])
    make_thread()
    run_worker()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert (delivery.attempts, delivery.response_status) == (1, 500)
    assert delivery.response_body == "database is down"
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=20)
    webhooks_deliver()  # not due yet: nothing is sent
    assert len(receiver.received) == 1
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks_deliver()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)
    first, second = receiver.received
    assert first["body"] == second["body"]  # the same event, the same id
    assert first["headers"]["Comptoir-Event-Id"] == second["headers"]["Comptoir-Event-Id"]


def test_after_the_last_attempt_the_delivery_fails_and_can_be_retried(receiver, charlie):
    receiver.statuses = [503] * MAX_ATTEMPTS
    subscribe(receiver.url, who=charlie, topics=["thread.created"])
    make_thread()
    webhooks_dispatch()
    for _ in range(MAX_ATTEMPTS):
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        webhooks_deliver()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    assert delivery.last_error == "HTTP 503"
    assert webhook_delivery_retry(delivery=delivery)
    webhooks_deliver()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_a_loopback_url_is_refused_unless_allowed(receiver, charlie):
    subscribe(receiver.url, allow_private=False, who=charlie, topics=["thread.created"])
    make_thread()
    run_worker()
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "non-public" in delivery.last_error


def test_every_redirect_hop_is_checked(receiver, charlie):
    """The first hop is taken as public (no public address exists in a test sandbox); its
    redirect to a loopback address must still be refused."""
    receiver.redirects["/hooks/comptoir"] = "http://127.0.0.2:9/admin"
    subscribe(receiver.url, allow_private=False, who=charlie, topics=["thread.created"])
    make_thread()
    first_hop = ipaddress.ip_address("127.0.0.1")
    real = netguard.is_public
    with mock.patch.object(netguard, "is_public", side_effect=lambda a: a == first_hop or real(a)):
        run_worker()
    assert len(receiver.received) == 1  # the first hop was reached…
    delivery = WebhookDelivery.objects.get()
    assert "127.0.0.2 resolves to" in delivery.last_error  # …the redirect was not followed


def test_redirects_are_followed_when_allowed(receiver, charlie):
    subscribe(receiver.url, who=charlie, topics=["thread.created"])
    receiver.redirects["/hooks/comptoir"] = "/hooks/moved"
    make_thread()
    run_worker()
    assert [r["path"] for r in receiver.received] == ["/hooks/comptoir", "/hooks/moved"]
    first, moved = receiver.received
    assert first["body"] == moved["body"]  # the same POST, signed the same way
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_too_many_redirects_are_refused(receiver, charlie):
    receiver.redirects["/hooks/comptoir"] = receiver.url
    subscribe(receiver.url, who=charlie, topics=["thread.created"])
    make_thread()
    run_worker()
    assert len(receiver.received) == netguard.MAX_REDIRECTS + 1
    assert "redirects" in WebhookDelivery.objects.get().last_error


def test_a_turned_off_webhook_hears_nothing(receiver, charlie):
    webhook, _secret = subscribe(receiver.url, who=charlie)
    webhook.is_active = False
    webhook.save()
    make_thread()
    run_worker()
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()
    assert not OutboundEvent.objects.exists()  # nobody listened: the events are gone


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 — an address to refuse, not one to bind
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_non_public_addresses_are_recognised(address):
    assert not netguard.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::6810:84e5", "::ffff:8.8.8.8"])
def test_public_addresses_are_recognised(address):
    assert netguard.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/hook", "scheme"),
        ("http://user:pass@127.0.0.1/hook", "credentials"),
        ("http://127.0.0.1:99999/hook", "port"),
        ("http://no-such-host.invalid/hook", "unresolvable"),
        ("http://127.0.0.1/hook", "private"),
        ("http://localhost/hook", "private"),
        ("http://[::1]/hook", "private"),
    ],
)
def test_urls_are_checked_before_anything_is_sent(url, reason):
    with pytest.raises(netguard.AddressRefused) as refused:
        netguard.url_check(url, allow_private=False)
    assert refused.value.reason == reason


def test_events_nobody_subscribes_to_are_not_written(charlie, bob):
    thread = make_thread(email="quiet@example.com")
    services.thread_reply(thread=thread, employee=bob, text="Nobody listens")
    assert not OutboundEvent.objects.exists()
    subscribe("https://shop.example/hook", topics=[Topic.REPLY_SENT], who=charlie)
    make_thread(email="still-quiet@example.com")  # thread.created: still unheard
    services.thread_reply(thread=thread, employee=bob, text="Now someone listens")
    assert list(OutboundEvent.objects.values_list("topic", flat=True)) == [Topic.REPLY_SENT]
    hook = Webhook.objects.get()
    hook.is_active = False
    hook.save(update_fields=["is_active"])
    services.thread_reply(thread=thread, employee=bob, text="Paused")
    assert OutboundEvent.objects.count() == 1


def test_an_attempt_is_counted_before_the_request_leaves(receiver, charlie):
    # As for e-mails: a worker killed between the POST and its record leaves an attempt counted.
    from comptoir.api.webhooks import _claim

    subscribe(receiver.url, who=charlie, topics=["thread.created"])
    make_thread(text="Where is my parcel?")
    webhooks_dispatch()
    (claimed,) = _claim(20)
    assert claimed.attempts == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENDING, 1)
    WebhookDelivery.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    webhooks_deliver()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert len(receiver.received) == 1
