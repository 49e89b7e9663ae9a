"""Issue 20, the cluster run: what a worker killed with SIGKILL holds — its mailbox lease, the
e-mails and webhook deliveries it claimed — moves on within seconds of its heartbeat falling
silent, not at the end of the lease (5 and 10 minutes); what a live worker holds, however slow
its steps, stays with it."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from comptoir.api import webhooks
from comptoir.api.models import DeliveryStatus, WebhookDelivery
from comptoir.api.services import webhook_create
from comptoir.mail import fetch
from comptoir.mail import models as mail_models
from comptoir.mail.models import OWNER_SILENT_SECONDS, Mailbox, WorkerHeartbeat
from comptoir.mail.outbox import outbox_claim
from comptoir.ops import worker as worker_module
from comptoir.ops.worker import Worker
from comptoir.testing import make_thread
from comptoir.threads import services
from comptoir.threads.models import EmailStatus, OutboundEmail, Topic


def heartbeat(name: str, *, seconds_ago: float) -> None:
    beat_at = timezone.now() - timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(name=name, beat_at=beat_at, started_at=beat_at)


def queued_email(bob) -> OutboundEmail:
    thread = make_thread(email="carol@example.com")
    services.thread_reply(thread=thread, employee=bob, text="On its way.")
    return OutboundEmail.objects.get(status=EmailStatus.QUEUED)


def pending_delivery(bob) -> WebhookDelivery:
    hook, _secret = webhook_create(
        url="http://127.0.0.1:9/hook",
        topics=[Topic.THREAD_CREATED],
        description="receiver",
        allow_private_network=True,
        created_by=bob,
    )
    return webhooks.webhook_ping(webhook=hook)


def claim_deliveries(worker_name: str) -> list[WebhookDelivery]:
    return webhooks._claim(20, worker_name, WorkerHeartbeat.silent_names())


# --- the outbox ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_e_mail_claimed_by_a_worker_whose_heartbeat_is_silent_is_claimed_again_at_once(bob):
    email = queued_email(bob)
    assert [row.pk for row in outbox_claim(worker_name="killed")] == [email.pk]
    heartbeat("killed", seconds_ago=OWNER_SILENT_SECONDS + 5)

    rows = outbox_claim(worker_name="w2")

    assert [row.pk for row in rows] == [email.pk]
    email.refresh_from_db()
    assert (email.status, email.claimed_by, email.attempts) == (EmailStatus.SENDING, "w2", 2)
    assert email.lease_expires_at is not None
    assert email.lease_expires_at > timezone.now() + timedelta(minutes=4)


@pytest.mark.django_db
def test_an_e_mail_claimed_by_a_live_worker_stays_with_it(bob):
    queued_email(bob)
    outbox_claim(worker_name="alive")
    heartbeat("alive", seconds_ago=1)

    assert outbox_claim(worker_name="w2") == []
    assert OutboundEmail.objects.get().claimed_by == "alive"


@pytest.mark.django_db
def test_an_e_mail_claimed_without_a_heartbeat_waits_for_its_lease(bob):
    # A one-off command (no heartbeat row), or a claim made before the column existed (""):
    # nothing says it is dead, so its lease is honoured to the end.
    queued_email(bob)
    outbox_claim(worker_name="one-off")
    assert outbox_claim(worker_name="w2") == []
    OutboundEmail.objects.update(claimed_by="")
    heartbeat("", seconds_ago=OWNER_SILENT_SECONDS + 5)  # even a silent heartbeat named ""
    assert outbox_claim(worker_name="w2") == []

    OutboundEmail.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    assert len(outbox_claim(worker_name="w2")) == 1


# --- the webhook deliveries --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_delivery_claimed_by_a_worker_whose_heartbeat_is_silent_is_claimed_again_at_once(bob):
    delivery = pending_delivery(bob)
    assert [row.pk for row in claim_deliveries("killed")] == [delivery.pk]
    heartbeat("killed", seconds_ago=OWNER_SILENT_SECONDS + 5)

    assert [row.pk for row in claim_deliveries("w2")] == [delivery.pk]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.claimed_by, delivery.attempts) == (
        DeliveryStatus.SENDING,
        "w2",
        2,
    )


@pytest.mark.django_db
def test_a_delivery_claimed_by_a_live_worker_or_without_a_heartbeat_stays_with_it(bob):
    pending_delivery(bob)
    claim_deliveries("alive")
    heartbeat("alive", seconds_ago=1)
    assert claim_deliveries("w2") == []
    WebhookDelivery.objects.update(claimed_by="one-off")
    assert claim_deliveries("w2") == []
    # Called without the heartbeats (an older caller): the lease alone decides.
    heartbeat("one-off", seconds_ago=OWNER_SILENT_SECONDS + 5)
    assert webhooks._claim(20, "w2") == []
    assert len(claim_deliveries("w2")) == 1


# --- the heartbeat -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_heartbeat_is_written_and_judged_by_the_database_clock():
    WorkerHeartbeat.beat("w1")
    WorkerHeartbeat.beat("w1")  # the second beat updates the row
    heartbeat("quiet", seconds_ago=OWNER_SILENT_SECONDS + 2)
    heartbeat("recent", seconds_ago=OWNER_SILENT_SECONDS - 3)

    row = WorkerHeartbeat.objects.get(name="w1")
    assert abs((row.beat_at - timezone.now()).total_seconds()) < 5
    assert set(WorkerHeartbeat.silent_names().values_list("name", flat=True)) == {"quiet"}


@pytest.mark.django_db
def test_a_mailbox_lease_is_taken_over_seconds_after_its_owner_fell_silent():
    mailbox = Mailbox.objects.create(host="imap.shop.test", username="shop")
    Mailbox.objects.filter(pk=mailbox.pk).update(
        lease_owner="killed", lease_expires_at=timezone.now() + timedelta(minutes=9)
    )
    heartbeat("killed", seconds_ago=OWNER_SILENT_SECONDS - 2)
    assert not fetch._lease_take(mailbox, "w2")

    WorkerHeartbeat.objects.filter(name="killed").update(
        beat_at=timezone.now() - timedelta(seconds=OWNER_SILENT_SECONDS + 2)
    )

    assert fetch._lease_take(mailbox, "w2")
    assert OWNER_SILENT_SECONDS <= 15  # seconds, not the 120 s the cluster run first waited


@pytest.mark.django_db(transaction=True)
def test_a_live_worker_whose_steps_are_slow_keeps_its_lease_and_its_rows(bob, monkeypatch):
    # Every lane of the worker is stuck in a step far longer than the silence threshold (a slow
    # KPI computation, a slow send, a slow fetch); its heartbeat thread goes on beating, so no
    # other worker takes what it holds.
    monkeypatch.setattr(mail_models, "OWNER_SILENT_SECONDS", 1)
    monkeypatch.setattr(worker_module, "HEARTBEAT_SECONDS", 0.1)
    release = threading.Event()
    entered: set[str] = set()

    def slow(step: str):
        def run(self: Worker) -> None:
            entered.add(step)
            release.wait(30)

        return run

    for step in ("kpis", "exports", "unsnooze", "fetch", "process", "process_large"):
        monkeypatch.setattr(Worker, step, slow(step))
    monkeypatch.setattr(Worker, "deliver", slow("deliver"))
    monkeypatch.setattr(Worker, "webhooks", slow("webhooks"))
    mailbox = Mailbox.objects.create(host="imap.shop.test", username="shop", enabled=False)
    queued_email(bob)
    pending_delivery(bob)
    outbox_claim(worker_name="slow")
    claim_deliveries("slow")
    Mailbox.objects.filter(pk=mailbox.pk).update(
        lease_owner="slow", lease_expires_at=timezone.now() + timedelta(minutes=9)
    )
    worker = Worker(interval=1, name="slow")
    runner = threading.Thread(target=worker.serve)
    runner.start()
    try:
        time.sleep(3.5)  # three times the silence threshold, every lane still in its step
        assert len(entered) == 8
        assert not fetch._lease_take(mailbox, "other")
        assert outbox_claim(worker_name="other") == []
        assert claim_deliveries("other") == []
    finally:
        worker.stop()
        release.set()
        runner.join(timeout=60)
        connection.close()
    assert not runner.is_alive()
    assert not WorkerHeartbeat.objects.filter(name="slow").exists()  # a clean stop says so
    # Once the worker is gone (here: its heartbeat row removed by a clean stop, or silent after
    # a kill), nothing it held is kept from the others by its heartbeat.
    heartbeat("slow", seconds_ago=5)
    assert fetch._lease_take(mailbox, "other")
    assert len(outbox_claim(worker_name="other")) == 1
    assert len(claim_deliveries("other")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_stopping_beats_until_its_lanes_have_finished(monkeypatch):
    # SIGTERM: the lanes finish their current step; until they have, the worker still holds
    # what they work on, so its heartbeat must not fall silent before.
    monkeypatch.setattr(mail_models, "OWNER_SILENT_SECONDS", 1)
    monkeypatch.setattr(worker_module, "HEARTBEAT_SECONDS", 0.1)
    finishing = threading.Event()
    release = threading.Event()

    def slow_fetch(self: Worker) -> None:
        finishing.set()
        release.wait(30)

    monkeypatch.setattr(Worker, "fetch", slow_fetch)
    worker = Worker(interval=1, name="stopping")
    runner = threading.Thread(target=worker.serve)
    runner.start()
    try:
        assert finishing.wait(15)
        worker.stop()
        time.sleep(2.5)
        assert runner.is_alive()
        assert not WorkerHeartbeat.silent_names().filter(name="stopping").exists()
        assert WorkerHeartbeat.objects.filter(name="stopping").exists()
    finally:
        release.set()
        runner.join(timeout=60)
        connection.close()
    assert not runner.is_alive()


@pytest.mark.django_db(transaction=True)
def test_a_worker_starting_forgets_the_workers_silent_for_a_day(monkeypatch):
    # A worker killed with SIGKILL cannot delete its heartbeat row: the cluster run left one per
    # kill, for good. A worker starting removes those silent for over a day (past any lease).
    heartbeat("killed-yesterday", seconds_ago=25 * 3600)
    heartbeat("killed-an-hour-ago", seconds_ago=3600)
    monkeypatch.setattr(Worker, "lanes", lambda self: {})
    worker = Worker(interval=1, name="starting")
    runner = threading.Thread(target=worker.serve)
    runner.start()
    try:
        deadline = time.monotonic() + 15
        while WorkerHeartbeat.objects.filter(name="killed-yesterday").exists():
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        worker.stop()
        runner.join(timeout=60)
        connection.close()
    names = set(WorkerHeartbeat.objects.values_list("name", flat=True))
    assert names == {"killed-an-hour-ago"}
