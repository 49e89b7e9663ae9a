"""Inbound mail, the fetch loop: one mailbox synced under a renewable lease, through a
``Session`` (``comptoir.mail.sessions``), into ``inbound_store_spool``.

The order of a sync never changes: store and commit first, then — only when "Delete messages"
is on — delete on the server the messages whose row exists, then mark those rows
``server_done``. A crash at any point therefore loses nothing and, because every message is
keyed by where it lives on its server, stores nothing twice.
"""

from __future__ import annotations

import imaplib
import logging
import poplib
import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.lib.deadline import socket_deadline
from comptoir.mail.connection import FetchError, failure_describe, mailbox_connect_settings
from comptoir.mail.copies import RawSpool
from comptoir.mail.inbound import inbound_keep_on_server, inbound_store_spool, mail_max_bytes
from comptoir.mail.models import InboundMail, InboundStatus, Mailbox, WorkerHeartbeat
from comptoir.mail.sessions import ImapSession, Session, chunks, session_open

log = logging.getLogger(__name__)

# One run stays short; the next run continues where this one stopped.
MAX_MESSAGES_PER_RUN = 500
# Each message is committed as it is stored (``inbound_store_spool``), not a batch at a time: a
# worker killed every few seconds (the cluster run) keeps what it stored before (issue 20).
FETCH_BATCH = 20
KEY_QUERY_CHUNK = 500
# A run renews its lease after every batch; a crashed worker's lease frees itself after this.
LEASE_SECONDS = 10 * 60
# A lease whose owner's heartbeat (WorkerHeartbeat, beaten every HEARTBEAT_SECONDS by a thread of
# its own) is older than OWNER_SILENT_SECONDS is taken over before it ends: a worker killed with
# SIGKILL or a machine that lost power no longer holds the mailbox for the whole lease (issue 20,
# the cluster run). An owner with no heartbeat row (a one-off command) keeps its lease to the end.
SYNC_TIMEOUT_SECONDS = 30.0
SYNC_DEADLINE_SECONDS = LEASE_SECONDS - 60
TEST_TIMEOUT_SECONDS = 10.0
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 60 * 60


@dataclass
class SyncReport:
    mailbox_id: int
    ok: bool = False
    busy: bool = False
    fetched: int = 0
    duplicates: int = 0
    deleted: int = 0
    too_large: int = 0  # over the size cap: left on the server, reported
    more: bool = False  # the per-run limit was reached; the next run continues
    encrypted: bool | None = None
    error: str = ""
    uidvalidity_changed: bool = False

    def counts(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched,
            "duplicates": self.duplicates,
            "deleted": self.deleted,
            "too_large": self.too_large,
            "more": self.more,
            "encrypted": self.encrypted,
            "uidvalidity_changed": self.uidvalidity_changed,
        }


def _lease_take(mailbox: Mailbox, worker_name: str) -> bool:
    now = timezone.now()
    taken = (
        Mailbox.objects.filter(pk=mailbox.pk)
        .filter(
            Q(lease_expires_at__isnull=True)
            | Q(lease_expires_at__lte=now)
            | Q(lease_owner__in=Subquery(WorkerHeartbeat.silent_names()))
        )
        .update(
            lease_owner=worker_name[:128],
            lease_expires_at=now + timedelta(seconds=LEASE_SECONDS),
            sync_requested_at=None,
        )
    )
    return taken == 1


def _lease_renew(mailbox: Mailbox, worker_name: str) -> bool:
    until = timezone.now() + timedelta(seconds=LEASE_SECONDS)
    return (
        Mailbox.objects.filter(pk=mailbox.pk, lease_owner=worker_name[:128]).update(
            lease_expires_at=until
        )
        == 1
    )


class _LeaseLost(FetchError):
    pass


def _store(mailbox: Mailbox, key: str, spool: RawSpool, report: SyncReport) -> None:
    """Store one fetched message; a copy of one already held (same bytes under an old key, or
    the same mail delivered again) is stored ``ignored`` and counted as a duplicate."""
    try:
        row = inbound_store_spool(mailbox=mailbox, key=key, spool=spool)
    finally:
        spool.close()
    if row is None:
        return
    if row.status == InboundStatus.IGNORED:
        report.duplicates += 1
    else:
        report.fetched += 1


def _keep_on_server(
    mailbox: Mailbox, session: Session, key: str, ref: str, size: int, report: SyncReport
) -> None:
    """A message over the size cap: its headers read, recorded failed, left on the server."""
    if inbound_keep_on_server(mailbox=mailbox, key=key, size=size, head=session.head(ref)):
        log.warning(
            "mailbox %s: message %s of %d bytes is over the %d bytes cap; left on the server",
            mailbox.pk,
            key,
            size,
            mail_max_bytes(),
        )
        report.too_large += 1


def _stored_keys(mailbox: Mailbox, keys: list[str], *, pending_only: bool = False) -> list[str]:
    """Which of these keys are stored (``pending_only``: and not yet done on the server)."""
    found: list[str] = []
    for chunk in chunks(keys, KEY_QUERY_CHUNK):
        rows = InboundMail.objects.filter(mailbox=mailbox, key__in=chunk)
        if pending_only:  # what is over the size cap is only on the server: never deleted
            rows = rows.filter(server_done=False, kept_on_server=False)
        found.extend(rows.values_list("key", flat=True))
    return found


def _run(mailbox: Mailbox, session: Session, report: SyncReport, worker_name: str) -> None:
    listing = session.listing()
    stored = set(_stored_keys(mailbox, list(listing)))
    missing = [key for key in listing if key not in stored]
    report.more = len(missing) > MAX_MESSAGES_PER_RUN
    key_of = {ref: key for key, ref in listing.items()}
    cap = mail_max_bytes()
    for batch in chunks(missing[:MAX_MESSAGES_PER_RUN], FETCH_BATCH):
        refs = [listing[key] for key in batch]
        sizes = session.sizes(refs)
        for ref in [ref for ref in refs if sizes.get(ref, 0) > cap]:
            _keep_on_server(mailbox, session, key_of[ref], ref, sizes[ref], report)
        for ref, spool in session.fetch([ref for ref in refs if sizes.get(ref, 0) <= cap]):
            if ref in key_of:
                _store(mailbox, key_of[ref], spool, report)
            else:
                spool.close()
        if not _lease_renew(mailbox, worker_name):
            raise _LeaseLost(_("Another worker took over this mailbox; stopping."))
    if mailbox.delete_messages:
        _delete_stored(mailbox, session, listing, report)


def _delete_stored(
    mailbox: Mailbox, session: Session, listing: dict[str, str], report: SyncReport
) -> None:
    """Delete on the server what is safely in the database — and only that."""
    pending = _stored_keys(mailbox, list(listing), pending_only=True)
    if pending:
        session.delete([listing[key] for key in pending])
        for chunk in chunks(pending, KEY_QUERY_CHUNK):
            InboundMail.objects.filter(key__in=chunk).update(server_done=True)
        report.deleted = len(pending)


def _socket(session: Session) -> socket.socket | None:
    sock = getattr(getattr(session, "conn", None), "sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _backoff(failures: int) -> timedelta:
    """60 s × 2^(failures before this one), at most an hour."""
    return timedelta(
        seconds=min(BACKOFF_BASE_SECONDS * 2 ** min(failures, 16), BACKOFF_MAX_SECONDS)
    )


def _finish(mailbox: Mailbox, report: SyncReport, worker_name: str) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {
        "last_sync_at": now,
        "last_sync_ok": report.ok,
        "last_sync_counts": report.counts(),
        "last_error": report.error,
        "lease_owner": "",
        "lease_expires_at": None,
    }
    if report.ok:
        fields["consecutive_failures"] = 0
        fields["next_sync_at"] = now + timedelta(
            seconds=0 if report.more else settings.COMPTOIR_MAIL_POLL_SECONDS
        )
    else:
        fields["consecutive_failures"] = mailbox.consecutive_failures + 1
        fields["next_sync_at"] = now + _backoff(mailbox.consecutive_failures)
    Mailbox.objects.filter(pk=mailbox.pk, lease_owner=worker_name[:128]).update(**fields)
    for name, value in fields.items():
        setattr(mailbox, name, value)


_EXPECTED = (FetchError, OSError, EOFError, imaplib.IMAP4.error, poplib.error_proto)


def mailbox_sync(mailbox: Mailbox, *, worker_name: str) -> SyncReport:
    """Fetch one mailbox once, under a lease; a "busy" report when another worker holds it.

    Never raises for network, TLS, login or protocol errors: they are recorded on the mailbox
    (``last_error``) with a back-off. Other exceptions are recorded too, and logged.
    """
    report = SyncReport(mailbox_id=mailbox.pk)
    if not _lease_take(mailbox, worker_name):
        report.busy = True
        return report
    mailbox.refresh_from_db()
    plan = mailbox_connect_settings(mailbox)
    try:
        if not mailbox.is_configured:
            raise FetchError(_("The mailbox is not configured (URL, user and password)."))
        session, plan = session_open(mailbox, timeout=SYNC_TIMEOUT_SECONDS)
        try:
            report.encrypted = session.encrypted
            # A whole sync ends before its lease could: a server that trickles stops nothing else.
            with socket_deadline(SYNC_DEADLINE_SECONDS, lambda: _socket(session)) as expired:
                try:
                    if isinstance(session, ImapSession):
                        _check_uidvalidity(mailbox, session, report)
                    _run(mailbox, session, report, worker_name)
                except _EXPECTED as exc:
                    if expired.is_set():
                        raise FetchError(
                            _("The sync took longer than %(seconds)d s; the next one continues.")
                            % {"seconds": SYNC_DEADLINE_SECONDS}
                        ) from exc
                    raise
        except BaseException:
            session.abort()
            raise
        session.close()
        report.ok = True
    except Exception as exc:
        report.error = failure_describe(exc, plan)
        if isinstance(exc, _EXPECTED):
            log.warning("mailbox %s: %s", mailbox.pk, report.error)
        else:
            log.exception("mailbox %s: sync failed", mailbox.pk)
    _finish(mailbox, report, worker_name)
    return report


def _check_uidvalidity(mailbox: Mailbox, session: ImapSession, report: SyncReport) -> None:
    """A new UIDVALIDITY means the old keys no longer name server messages: everything is fetched
    again under new keys, and ``_store`` recognises what is already held by its content."""
    if mailbox.uidvalidity == session.uidvalidity:
        return
    if mailbox.uidvalidity is not None:
        report.uidvalidity_changed = True
        log.warning(
            "mailbox %s: UIDVALIDITY changed from %s to %s; fetching the folder again",
            mailbox.pk,
            mailbox.uidvalidity,
            session.uidvalidity,
        )
    mailbox.uidvalidity = session.uidvalidity
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=session.uidvalidity)


def mailboxes_sync_due(*, worker_name: str) -> list[SyncReport]:
    """Sync every enabled mailbox that is due, or that an administrator asked to sync now."""
    now = timezone.now()
    candidates = Mailbox.objects.filter(enabled=True).filter(
        Q(next_sync_at__lte=now) | Q(sync_requested_at__isnull=False)
    )
    reports = []
    for mailbox in candidates.order_by("next_sync_at", "pk"):
        # A mailbox whose OAuth grant was lost waits for "Reconnect" (or a sync asked for).
        ready = mailbox.is_configured and not mailbox.oauth_error
        if ready or mailbox.sync_requested_at is not None:
            reports.append(mailbox_sync(mailbox, worker_name=worker_name))
    return reports


def mailbox_test_connection(mailbox: Mailbox) -> tuple[bool, str]:
    """Connect, log in and open the folder; nothing is fetched or changed. A message for people."""
    plan = mailbox_connect_settings(mailbox)
    if not mailbox.is_configured:
        return False, _("The mailbox is not configured (URL, user and password).")
    try:
        session, plan = session_open(mailbox, timeout=TEST_TIMEOUT_SECONDS)
    except Exception as exc:
        return False, failure_describe(exc, plan)
    encrypted = session.encrypted
    session.close()
    if encrypted:
        message = _("Connection successful: logged in to %(where)s, encrypted (TLS).")
    else:
        message = _("Connection successful: logged in to %(where)s, NOT encrypted.")
    return True, message % {"where": f"{plan.host}:{plan.port}"}
