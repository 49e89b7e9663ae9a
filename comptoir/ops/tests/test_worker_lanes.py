"""Issue 16: no mail waits behind anything else. A webhook receiver on loopback that answers one
byte every few seconds, and a costly message, in the same worker run: ordinary mail is imported
and ordinary e-mails are sent in their normal time."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.db import connection

from comptoir.api.models import DeliveryStatus, WebhookDelivery
from comptoir.api.services import webhook_create
from comptoir.lib import netguard
from comptoir.lib.deadline import DeadlineExceeded
from comptoir.mail.inbound import inbound_store
from comptoir.mail.models import InboundMail, InboundStatus
from comptoir.mail.tests.test_process import mail
from comptoir.ops.worker import Worker
from comptoir.testing import make_thread
from comptoir.threads import services
from comptoir.threads.models import EmailStatus, OutboundEmail, Topic

TRICKLE_SECONDS = 3.0


class Trickle:
    """An HTTP receiver on loopback that reads the request, then answers one byte every
    ``TRICKLE_SECONDS`` (a per-read timeout never trips on it)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self.stopping.is_set():
            try:
                conn, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok":
                    if self.stopping.wait(TRICKLE_SECONDS):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return

    def stop(self) -> None:
        self.stopping.set()
        self.listener.close()


@pytest.fixture
def trickle() -> Iterator[Trickle]:
    server = Trickle()
    yield server
    server.stop()


def test_a_webhook_post_ends_at_its_overall_deadline_however_slowly_the_receiver_answers(
    trickle,
):
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        netguard.post(
            f"http://127.0.0.1:{trickle.port}/hook",
            body=b"{}",
            headers={},
            allow_private=True,
            timeout=10,
            deadline=4,
        )
    assert 3.5 < time.monotonic() - started < 6


def costly_message() -> bytes:
    """2 MB of nested ``<i><a href=x>``: seconds of the parser's and sanitiser's time."""
    html = "<i><a href=x>" * (2 * 1024 * 1024 // 13)
    return (
        "From: Mallory <mallory@example.com>\r\nTo: shop@testserver\r\n"
        "Subject: costly\r\nMessage-ID: <costly@example.com>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n"
    ).encode()


def wait_for(check, *, within: float, since: float | None = None) -> float | None:
    """Seconds from ``since`` (default: now) until ``check()`` holds; None after ``within``."""
    started = time.monotonic() if since is None else since
    while time.monotonic() - started < within:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    return None


@pytest.mark.django_db(transaction=True)
def test_ordinary_mail_and_e_mails_do_not_wait_behind_a_slow_webhook_or_a_costly_message(
    trickle, smtp, bob
):
    webhook_create(
        url=f"http://127.0.0.1:{trickle.port}/hook",
        topics=[Topic.THREAD_CREATED, Topic.MESSAGE_RECEIVED, Topic.REPLY_SENT],
        description="slow",
        allow_private_network=True,
        created_by=bob,
    )
    thread = make_thread(email="carol@example.com")
    for n in range(6):  # deliveries already waiting for the slow receiver
        services.thread_note(thread=thread, employee=bob, text=f"note {n}")
        services.thread_reply(thread=thread, employee=bob, text=f"earlier answer {n}")
    OutboundEmail.objects.update(status=EmailStatus.SENT)
    inbound_store(mailbox=None, key="lanes:costly", raw=costly_message())
    worker = Worker(interval=1, name="lanes")
    runner = threading.Thread(target=worker.serve)
    runner.start()
    try:
        assert wait_for(lambda: WebhookDelivery.objects.exists(), within=15) is not None
        time.sleep(0.5)  # the webhooks lane is now waiting on the slow receiver
        # Now ordinary work arrives: a customer's mail, and an employee's answer.
        arrived = time.monotonic()
        inbound_store(mailbox=None, key="lanes:ordinary", raw=mail(sender="dan@example.com"))
        reply = services.thread_reply(thread=thread, employee=bob, text="On its way.")
        imported_in = wait_for(
            lambda: InboundMail.objects.filter(
                key="lanes:ordinary", status=InboundStatus.IMPORTED
            ).exists(),
            within=30,
            since=arrived,
        )
        sent_in = wait_for(
            lambda: OutboundEmail.objects.filter(message=reply, status=EmailStatus.SENT).exists(),
            within=30,
            since=arrived,
        )
        webhook_busy = WebhookDelivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()
        costly_done = wait_for(
            lambda: (
                not InboundMail.objects.filter(
                    key="lanes:costly", status=InboundStatus.NEW
                ).exists()
            ),
            within=120,
        )
    finally:
        worker.stop()
        # Until every lane has finished: a lane still running would write into later tests.
        runner.join(timeout=600)
        assert not runner.is_alive()
        connection.close()
    assert imported_in is not None
    assert sent_in is not None
    print(  # noqa: T201 -- the figures the issue asks for (pytest -s)
        f"\nwith a slow webhook and a costly message: ordinary mail imported in "
        f"{imported_in:.2f} s, ordinary e-mail sent in {sent_in:.2f} s; the costly message "
        f"done {costly_done} s later"
    )
    assert not runner.is_alive()
    assert webhook_busy  # the receiver was still trickling while mail went through
    # The lanes come round every second; 10 s leaves room for a loaded machine (the issue saw
    # 299 s behind one slow webhook).
    assert imported_in < 10
    assert sent_in < 10
    assert trickle.connections >= 1


@pytest.mark.django_db(transaction=True)
def test_a_batch_of_deliveries_to_slow_receivers_takes_one_deadline_not_one_each(
    trickle, bob, monkeypatch
):
    from comptoir.api import webhooks

    monkeypatch.setattr(webhooks, "DELIVERY_DEADLINE_SECONDS", 3.0)
    hook, _secret = webhook_create(
        url=f"http://127.0.0.1:{trickle.port}/hook",
        topics=[Topic.THREAD_CREATED],
        description="slow",
        allow_private_network=True,
        created_by=bob,
    )
    for _n in range(8):
        webhooks.webhook_ping(webhook=hook)

    started = time.monotonic()
    report = webhooks.webhooks_deliver(limit=20)
    took = time.monotonic() - started

    assert report.retried == 8
    assert took < 6  # side by side: one deadline (3 s), not eight (24 s)
    assert set(WebhookDelivery.objects.values_list("last_error", flat=True)) == {
        "DeadlineExceeded: no complete answer within 3 s"
    }


def test_fetching_wakes_the_import_lane_and_goes_on_at_once_while_a_run_was_cut_short(
    monkeypatch,
):
    # Issue 20: fetching and importing are two lanes; the fetch lane wakes the import lane when
    # it stored mail, and starts its next round without a pause when a run hit its limit.
    from comptoir.mail import fetch
    from comptoir.mail.fetch import SyncReport

    reports = [SyncReport(mailbox_id=1, ok=True, fetched=500, more=True)]
    monkeypatch.setattr(fetch, "mailboxes_sync_due", lambda *, worker_name: reports)
    worker = Worker(interval=1, name="lanes")
    assert worker.lanes()["mail"] == (worker.fetch,)
    assert worker.lanes()["import"] == (worker.process,)

    worker.fetch()
    assert worker.wakes["import"].is_set()
    assert worker.wakes["mail"].is_set()

    worker.wakes.clear()
    reports[0] = SyncReport(mailbox_id=1, ok=True)
    worker.fetch()
    assert worker.wakes == {}
