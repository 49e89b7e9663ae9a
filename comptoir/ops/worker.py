"""The worker: fetches mailboxes, imports stored mail, delivers the outbox and the webhooks,
and keeps house.

Each kind of work runs in its own lane — a thread with its own loop and database connection
(issue 16) — so that none can hold up another: a webhook receiver that answers one byte every
few seconds slows the webhooks lane only, a large or costly message the large-mail lane only,
while ordinary mail is imported and e-mails are sent on time. The lanes: ``mail`` (fetch),
``import`` (import ordinary messages), ``large-mail`` (import messages over ``LARGE_MAIL_BYTES``),
``outbox``, ``webhooks``, ``housekeeping`` (KPIs, tidying), and one ``idle`` lane per IMAP
mailbox whose server offers IDLE (``mail/idle.py``): it wakes the mail lane when a message
arrives. Beside the lanes, a thread of its own beats the worker's heartbeat every
``HEARTBEAT_SECONDS``: no step, however slow, delays it, so a live worker is never taken for a
dead one, and a dead one's mailbox lease and claimed rows move on within seconds (issue 20).

It lives in ``ops``, the app of the commands that drive several apps, because it drives ``mail``
and ``api``, which may not import each other. It never stops on an error in one task: the error
is logged and the loop goes on. SIGINT and SIGTERM end it after the current step of each lane.
``run_once`` runs every step once in turn (``comptoir worker --once``, tests).
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
from django.db import close_old_connections, connection

from comptoir.api.webhooks import webhooks_deliver, webhooks_dispatch
from comptoir.lib.planner import planner_statistics_refresh
from comptoir.mail.idle import mailbox_watch
from comptoir.mail.models import HEARTBEAT_SECONDS, Mailbox, WorkerHeartbeat
from comptoir.mail.outbox import outbox_deliver
from comptoir.mail.process import inbound_process_pending
from comptoir.privacy.services import exports_build_pending, exports_tidy, retention_apply_if_due
from comptoir.staff.throttle import login_throttles_purge
from comptoir.threads.notification_emails import notification_emails_queue
from comptoir.threads.presence import presence_forget
from comptoir.threads.rates import rate_counters_purge
from comptoir.threads.snooze import threads_snooze_wake
from comptoir.threads.stats import KPI_REFRESH_SECONDS, kpi_averages_refresh

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class _Count:
    """A step's report when it only counts what it handled."""

    handled: int


TIDY_SECONDS = 600
# Messages larger than this are imported in a lane of their own (``process_large``).
LARGE_MAIL_BYTES = 256 * 1024
# How often the IDLE watchers are checked against the mailboxes' settings.
WATCH_SECONDS = 30


class Worker:
    def __init__(self, *, interval: float | None = None, name: str | None = None) -> None:
        self.interval = interval if interval is not None else settings.COMPTOIR_WORKER_INTERVAL
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()
        # When each occasional step is next due (time.monotonic()); 0: at the first round.
        self.due: dict[str, float] = {}
        # Set to start a lane's next round at once.
        self.wakes: dict[str, threading.Event] = {}
        self.serving = False
        # IDLE watchers by mailbox id, and the mailboxes whose server is idling now.
        self.watchers: dict[int, tuple[threading.Thread, threading.Event]] = {}
        self.idling: set[int] = set()
        # Set once every lane has finished: the heartbeat goes on until then.
        self.lanes_done = threading.Event()

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        self.stopping.set()
        for wake in list(self.wakes.values()):
            wake.set()
        for _thread, stop in list(self.watchers.values()):
            stop.set()

    def beat(self) -> None:
        WorkerHeartbeat.beat(self.name)

    def heartbeat(self) -> None:
        """The heartbeat thread: a beat every ``HEARTBEAT_SECONDS`` until every lane has
        finished (a worker told to stop still holds what its lanes are finishing). A beat that
        fails (the database away) is logged and tried again at the next tick."""
        try:
            while True:
                close_old_connections()
                try:
                    self.beat()
                except Exception:
                    log.exception("worker %s: heartbeat failed; trying again", self.name)
                if self.lanes_done.wait(HEARTBEAT_SECONDS):
                    return
        finally:
            connection.close()

    def lanes(self) -> dict[str, tuple[Callable[[], None], ...]]:
        """Each lane's steps, run in turn within the lane."""
        return {
            "housekeeping": (self.kpis, self.tidy, self.retention),
            "exports": (self.exports,),
            "alerts": (self.unsnooze, self.notify),
            "mail": (self.fetch,),
            "import": (self.process,),
            "large-mail": (self.process_large,),
            "outbox": (self.deliver,),
            "webhooks": (self.webhooks,),
            "idle": (self.watch,),
        }

    def run_once(self) -> None:
        self._steps((self.beat,))
        for steps in self.lanes().values():
            self._steps(steps)

    def _steps(self, steps: tuple[Callable[[], None], ...]) -> None:
        for step in steps:
            try:
                step()
            except Exception:
                log.exception("worker step %s failed; carrying on", step.__name__)

    def fetch(self) -> None:
        """Fetch every mailbox that is due (or asked for with "Run sync")."""
        from comptoir.mail.fetch import mailboxes_sync_due

        reports = mailboxes_sync_due(worker_name=self.name)
        if any(report.fetched for report in reports):
            self.wake("import")
        if any(report.more for report in reports):
            self.wake("mail")  # the per-run limit was reached: go on without a pause

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
        """Turn stored mail into thread messages, a batch at a time (ordinary sizes)."""
        self._drain(
            "inbound",
            lambda: inbound_process_pending(limit=100, up_to=LARGE_MAIL_BYTES),
            100,
        )

    def process_large(self) -> None:
        """The messages over ``LARGE_MAIL_BYTES``, apart: the costly ones are among them."""
        self._drain(
            "large inbound",
            lambda: inbound_process_pending(limit=10, larger_than=LARGE_MAIL_BYTES),
            10,
        )

    def unsnooze(self) -> None:
        """Bring back the snoozed threads whose time has come (``threads.snooze``)."""
        self._drain("snooze", lambda: _Count(threads_snooze_wake(limit=100)), 100)

    def notify(self) -> None:
        """Turn the employees' due notifications into e-mails, before the outbox is delivered."""
        self._drain("notifications", lambda: _Count(notification_emails_queue(limit=200)), 200)

    def deliver(self) -> None:
        self._drain("outbox", lambda: outbox_deliver(limit=20, worker_name=self.name), 20)

    def webhooks(self) -> None:
        """Fan new events out to the webhooks, then POST what is due, a batch at a time."""
        while not self.stopping.is_set() and webhooks_dispatch(limit=200) == 200:
            pass
        self._drain(
            "webhooks",
            lambda: webhooks_deliver(
                limit=20, worker_name=self.name, silent_workers=WorkerHeartbeat.silent_names()
            ),
            20,
        )

    def watch(self) -> None:
        """Keep one IDLE watcher (``mail/idle.py``) per enabled IMAP mailbox; a watcher whose
        mailbox is gone, off or switched to POP3 is stopped. Not in ``run_once``'s single round:
        only a running worker watches."""
        if not self.serving or self.stopping.is_set() or not self._due("watch", WATCH_SECONDS):
            return
        wanted = {
            mailbox.pk
            for mailbox in Mailbox.objects.filter(enabled=True, use_pop3=False)
            if mailbox.is_configured
        }
        for mailbox_id, (thread, stop) in list(self.watchers.items()):
            if mailbox_id not in wanted or not thread.is_alive():
                stop.set()
                del self.watchers[mailbox_id]
        for mailbox_id in wanted - set(self.watchers):
            stop = threading.Event()
            thread = threading.Thread(
                target=mailbox_watch,
                kwargs={
                    "mailbox_id": mailbox_id,
                    "stopping": stop,
                    "on_new": lambda: self.wake("mail"),
                    "on_idle": lambda mailbox_id=mailbox_id: self.idling.add(mailbox_id),
                },
                name=f"idle-{mailbox_id}",
                daemon=True,
            )
            self.watchers[mailbox_id] = (thread, stop)
            thread.start()

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
            exports_tidy()
            presence_forget()
            planner_statistics_refresh()

    def exports(self) -> None:
        """Build one waiting export of personal data (a large customer's, ``privacy``)."""
        exports_build_pending(limit=1)

    def retention(self) -> None:
        """Once a day (whatever the number of workers), remove what the retention settings no
        longer keep, in short transactions (``privacy.services.retention_apply``)."""
        if self._due("retention", TIDY_SECONDS):
            counts = retention_apply_if_due()
            if counts is not None:
                log.info("retention: %s", counts)

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        self.serve()

    def serve(self) -> None:
        """Run every lane in its own thread until ``stop()``."""
        log.info("worker %s started", self.name)
        self.serving = True
        self.lanes_done.clear()
        self.beat()
        WorkerHeartbeat.tidy()
        beating = threading.Thread(target=self.heartbeat, name="heartbeat", daemon=True)
        beating.start()
        threads = [
            threading.Thread(target=self._lane, args=(name, steps), name=f"lane-{name}")
            for name, steps in self.lanes().items()
        ]
        for thread in threads:
            thread.start()
        self.stopping.wait()
        for thread in threads:
            thread.join()
        for watcher, _stop in list(self.watchers.values()):
            watcher.join(timeout=10)
        self.lanes_done.set()
        beating.join()
        WorkerHeartbeat.objects.filter(name=self.name).delete()
        connection.close()
        log.info("worker %s stopped", self.name)

    def _lane(self, name: str, steps: tuple[Callable[[], None], ...]) -> None:
        wake = self.wakes.setdefault(name, threading.Event())
        try:
            while not self.stopping.is_set():
                close_old_connections()
                self._steps(steps)
                wake.wait(self.interval)
                wake.clear()
        finally:
            connection.close()

    def wake(self, lane: str) -> None:
        """Start the lane's next round now (the IDLE lanes wake the mail lane)."""
        self.wakes.setdefault(lane, threading.Event()).set()
