"""The worker: one loop that fetches mailboxes, imports stored mail, delivers the outbox and
the webhooks.

It lives in ``ops``, the app of the commands that drive several apps, because it drives ``mail``
and ``api``, which may not import each other. It never stops on an error in one task: the error
is logged and the loop goes on. SIGINT and SIGTERM end it after the current step.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from comptoir.api.webhooks import webhooks_deliver, webhooks_dispatch
from comptoir.lib.planner import planner_statistics_refresh
from comptoir.mail.models import WorkerHeartbeat
from comptoir.mail.outbox import outbox_deliver
from comptoir.mail.process import inbound_process_pending
from comptoir.staff.throttle import login_throttles_purge
from comptoir.threads.notification_emails import notification_emails_queue
from comptoir.threads.rates import rate_counters_purge
from comptoir.threads.snooze import threads_snooze_wake
from comptoir.threads.stats import KPI_REFRESH_SECONDS, kpi_averages_refresh

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class _Count:
    """A step's report when it only counts what it handled."""

    handled: int


TIDY_SECONDS = 600


class Worker:
    def __init__(self, *, interval: float | None = None, name: str | None = None) -> None:
        self.interval = interval if interval is not None else settings.COMPTOIR_WORKER_INTERVAL
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()
        # When each occasional step is next due (time.monotonic()); 0: at the first round.
        self.due: dict[str, float] = {}

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        self.stopping.set()

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            name=self.name, defaults={"beat_at": timezone.now()}
        )

    def run_once(self) -> None:
        steps = (
            self.beat,
            self.fetch,
            self.process,
            self.wake,
            self.notify,
            self.deliver,
            self.webhooks,
            self.kpis,
            self.tidy,
        )
        for step in steps:
            try:
                step()
            except Exception:
                log.exception("worker step %s failed; carrying on", step.__name__)

    def fetch(self) -> None:
        """Fetch every mailbox that is due (or asked for with "Run sync")."""
        from comptoir.mail.fetch import mailboxes_sync_due

        mailboxes_sync_due(worker_name=self.name)

    def _drain(self, label: str, batch: Callable[[], Any], size: int) -> None:
        """Run ``batch`` (which handles up to ``size`` rows and returns a report dataclass of
        counts) until a batch comes back short: everything due is done before the worker sleeps."""
        while not self.stopping.is_set():
            counts = dataclasses.asdict(batch())
            handled = sum(counts.values())
            if handled:
                log.info("%s: %s", label, ", ".join(f"{n} {what}" for what, n in counts.items()))
            if handled < size:
                return

    def process(self) -> None:
        """Turn stored mail into thread messages, a batch at a time."""
        self._drain("inbound", lambda: inbound_process_pending(limit=100), 100)

    def wake(self) -> None:
        """Bring back the snoozed threads whose time has come (``threads.snooze``)."""
        self._drain("snooze", lambda: _Count(threads_snooze_wake(limit=100)), 100)

    def notify(self) -> None:
        """Turn the employees' due notifications into e-mails, before the outbox is delivered."""
        self._drain("notifications", lambda: _Count(notification_emails_queue(limit=200)), 200)

    def deliver(self) -> None:
        self._drain("outbox", lambda: outbox_deliver(limit=20), 20)

    def webhooks(self) -> None:
        """Fan new events out to the webhooks, then POST what is due, a batch at a time."""
        while not self.stopping.is_set() and webhooks_dispatch(limit=200) == 200:
            pass
        self._drain("webhooks", lambda: webhooks_deliver(limit=20), 20)

    def _due(self, step: str, every: float) -> bool:
        """Whether an occasional step is due, and if so when it is due next."""
        now = time.monotonic()
        if now < self.due.get(step, 0.0):
            return False
        self.due[step] = now + every
        return True

    def kpis(self) -> None:
        """Compute the desk's 30-day averages again every few minutes, before they leave the
        cache, so that no page waits for them (``threads.stats``)."""
        if self._due("kpis", KPI_REFRESH_SECONDS):
            kpi_averages_refresh()

    def tidy(self) -> None:
        """Now and then, delete what has expired (the contact form's counts, the sign-in
        throttle's), and refresh SQLite's planner statistics when a table has grown by a
        quarter (``lib.planner``)."""
        if self._due("tidy", TIDY_SECONDS):
            rate_counters_purge()
            login_throttles_purge()
            planner_statistics_refresh()

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        log.info("worker %s started", self.name)
        while not self.stopping.is_set():
            close_old_connections()
            self.run_once()
            self.stopping.wait(self.interval)
        WorkerHeartbeat.objects.filter(name=self.name).delete()
        log.info("worker %s stopped", self.name)
