"""Inbound mail, the fetchers: IMAP (by UID within UIDVALIDITY) and POP3 (by UIDL).

Both are thin adapters behind one small interface (``_Session``: list, fetch, delete, close) that
end in ``inbound_store``. The order of a sync never changes: store and commit first, then — only
when "Delete messages" is on — delete on the server the messages whose row exists, then mark
those rows ``server_done``. A crash at any point therefore loses nothing and, because every message
is keyed by where it lives on its server, stores nothing twice.

Flags (REFERENCE B6): /ssl = implicit TLS, /tls = STARTTLS required, /notls = never STARTTLS,
default = STARTTLS when the server offers it; the certificate is verified unless /novalidate-cert;
/norsh is accepted and ignored. A contradictory combination is refused by the form
(``mailbox_check_flags``); should one reach the database anyway, ``mailbox_connect_settings``
resolves it towards security: /ssl wins over /tls and /notls, /validate-cert over
/novalidate-cert.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import imaplib
import logging
import poplib
import re
import socket
import ssl
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.lib.secretbox import unseal
from comptoir.mail.inbound import MAX_RAW_BYTES, inbound_row_create, inbound_store
from comptoir.mail.models import InboundMail, InboundStatus, Mailbox

log = logging.getLogger(__name__)

# One run stays short; the next run continues where this one stopped.
MAX_MESSAGES_PER_RUN = 500
FETCH_BATCH = 20
DELETE_BATCH = 500
KEY_QUERY_CHUNK = 500
# A run renews its lease after every batch; a crashed worker's lease frees itself after this.
LEASE_SECONDS = 10 * 60
SYNC_TIMEOUT_SECONDS = 30.0
TEST_TIMEOUT_SECONDS = 10.0
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 60 * 60


class MailProtocol(enum.StrEnum):
    IMAP = "imap"
    POP3 = "pop3"


class TlsMode(enum.StrEnum):
    IMPLICIT = "implicit"  # /ssl: TLS from the first byte (IMAPS, POP3S)
    STARTTLS_REQUIRED = "starttls-required"  # /tls
    NEVER = "never"  # /notls
    OPPORTUNISTIC = "opportunistic"  # default: STARTTLS when offered


DEFAULT_PORTS = {
    (MailProtocol.IMAP, False): 143,
    (MailProtocol.IMAP, True): 993,
    (MailProtocol.POP3, False): 110,
    (MailProtocol.POP3, True): 995,
}


@dataclass(frozen=True)
class ConnectionPlan:
    """How to reach a mailbox: pure data computed from its settings."""

    protocol: MailProtocol
    host: str
    port: int
    tls: TlsMode
    verify_cert: bool
    ca_file: str = ""

    def ssl_context(self) -> ssl.SSLContext:
        """Always an explicit context: imaplib and poplib do not verify anything without one."""
        context = ssl.create_default_context(cafile=self.ca_file or None)
        if not self.verify_cert:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


def mailbox_connect_settings(mailbox: Mailbox) -> ConnectionPlan:
    """The connection plan for a mailbox (pure; /norsh is ignored: no rsh exists here)."""
    protocol = MailProtocol.POP3 if mailbox.use_pop3 else MailProtocol.IMAP
    if mailbox.use_ssl:
        tls = TlsMode.IMPLICIT
    elif mailbox.no_tls:
        tls = TlsMode.NEVER
    elif mailbox.use_tls:
        tls = TlsMode.STARTTLS_REQUIRED
    else:
        tls = TlsMode.OPPORTUNISTIC
    return ConnectionPlan(
        protocol=protocol,
        host=mailbox.host.strip(),
        port=mailbox.port or DEFAULT_PORTS[(protocol, tls is TlsMode.IMPLICIT)],
        tls=tls,
        verify_cert=mailbox.validate_cert or not mailbox.novalidate_cert,
        ca_file=mailbox.ca_file.strip(),
    )


def mailbox_check_flags(
    *,
    use_ssl: bool,
    use_tls: bool,
    no_tls: bool,
    validate_cert: bool,
    novalidate_cert: bool,
) -> list[str]:
    """Why a combination of flags is refused (empty when it is fine).

    /ssl with /tls is refused too rather than silently resolved: /ssl already encrypts from the
    first byte, /tls asks for STARTTLS on a plain port; one of them is a mistake.
    """
    errors = []
    if use_ssl and no_tls:
        errors.append(
            _(
                "/ssl and /notls contradict each other: /ssl turns encryption on "
                "(implicit TLS), /notls never encrypts."
            )
        )
    if use_ssl and use_tls:
        errors.append(
            _(
                "/ssl and /tls cannot be combined: /ssl is TLS from the first byte "
                "(ports 993/995), /tls is STARTTLS on a plain port (143/110). Choose one."
            )
        )
    if use_tls and no_tls:
        errors.append(
            _("/tls and /notls contradict each other: /tls requires STARTTLS, /notls forbids it.")
        )
    if validate_cert and novalidate_cert:
        errors.append(
            _(
                "/validate-cert and /novalidate-cert contradict each other: "
                "untick /validate-cert to skip the certificate check."
            )
        )
    return errors


# --- errors -------------------------------------------------------------------------------------


class FetchError(Exception):
    """A connection, TLS, login or protocol failure, with a message an administrator can act on."""


def _describe(exc: BaseException, plan: ConnectionPlan) -> str:
    where = f"{plan.host}:{plan.port}"
    if isinstance(exc, FetchError):
        return str(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _("Certificate verification failed: %(reason)s") % {
            "reason": exc.verify_message or exc.reason or str(exc)
        }
    if isinstance(exc, ssl.SSLError):
        return _("TLS error with %(where)s: %(reason)s") % {
            "where": where,
            "reason": exc.reason or str(exc),
        }
    if isinstance(exc, ConnectionRefusedError):
        return _("Connection refused by %(where)s") % {"where": where}
    if isinstance(exc, socket.gaierror):
        return _("Unknown host: %(host)s") % {"host": plan.host}
    if isinstance(exc, TimeoutError):
        return _("Connection to %(where)s timed out") % {"where": where}
    if isinstance(exc, imaplib.IMAP4.error | poplib.error_proto):
        return _("The server answered with an error: %(reason)s") % {"reason": _text(exc)}
    if isinstance(exc, OSError | EOFError):
        return _("Network error with %(where)s: %(reason)s") % {"where": where, "reason": exc}
    return _("Unexpected error: %(reason)s") % {"reason": repr(exc)}


def _text(value: object) -> str:
    if isinstance(value, BaseException) and value.args:
        value = value.args[0]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


# --- the two protocols --------------------------------------------------------------------------


class _Session(Protocol):
    encrypted: bool

    def listing(self) -> dict[str, str]:
        """Every message on the server: storage key → server reference (UID or message number)."""

    def fetch(self, refs: list[str]) -> Iterator[tuple[str, bytes]]:
        """(reference, raw bytes) for the given references, without marking anything read."""

    def delete(self, refs: list[str]) -> None:
        """Delete these messages for good (the deletion is committed when this returns)."""

    def close(self) -> None:
        """Log out; with POP3 this commits the deletions."""

    def abort(self) -> None:
        """Drop the connection after a failure; with POP3 nothing is deleted."""


def _location(mailbox: Mailbox) -> str:
    """Where the messages live (server, user, folder): part of each key, so that pointing the
    mailbox elsewhere can never make a new message look already stored."""
    place = f"{mailbox.host.lower()}|{mailbox.username}|{mailbox.folder}|{mailbox.use_pop3}"
    return hashlib.sha256(place.encode()).hexdigest()[:10]


def _is_tls(sock: object) -> bool:
    return isinstance(sock, ssl.SSLSocket)


def _quote_folder(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


_UID_RE = re.compile(rb"UID (\d+)")


class _ImapSession:
    def __init__(self, mailbox: Mailbox, plan: ConnectionPlan, password: str, timeout: float):
        self.mailbox = mailbox
        context = plan.ssl_context()
        if plan.tls is TlsMode.IMPLICIT:
            self.conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                plan.host, plan.port, ssl_context=context, timeout=timeout
            )
        else:
            self.conn = imaplib.IMAP4(plan.host, plan.port, timeout=timeout)
        try:
            if plan.tls in (TlsMode.OPPORTUNISTIC, TlsMode.STARTTLS_REQUIRED):
                if "STARTTLS" in self.conn.capabilities:
                    self.conn.starttls(ssl_context=context)
                elif plan.tls is TlsMode.STARTTLS_REQUIRED:
                    raise FetchError(_("Server does not offer STARTTLS (/tls)"))
            try:
                self.conn.login(mailbox.username, password)
            except imaplib.IMAP4.abort:
                raise
            except imaplib.IMAP4.error as exc:
                raise FetchError(
                    _("Login failed for user %(user)s: %(reason)s")
                    % {"user": mailbox.username, "reason": _text(exc)}
                ) from exc
            self.encrypted = _is_tls(self.conn.sock)
            typ, data = self.conn.select(_quote_folder(mailbox.folder or "INBOX"))
            if typ != "OK":
                raise FetchError(
                    _("Cannot open the folder %(folder)s: %(reason)s")
                    % {"folder": mailbox.folder, "reason": _text(data[0] if data else "")}
                )
            _typ, values = self.conn.response("UIDVALIDITY")
            if not values or values[0] is None:
                raise FetchError(_("The server did not report a UIDVALIDITY for the folder."))
            self.uidvalidity = int(values[0])
            _typ, caps = self.conn.capability()
            self.uidplus = b"UIDPLUS" in (caps[0] or b"").upper().split()
        except BaseException:
            self.close()
            raise

    def _key(self, uid: str) -> str:
        return f"imap:{self.mailbox.pk}:{_location(self.mailbox)}:{self.uidvalidity}:{uid}"

    def listing(self) -> dict[str, str]:
        typ, data = self.conn.uid("SEARCH", "ALL")
        if typ != "OK":
            raise FetchError(_("UID SEARCH failed: %(reason)s") % {"reason": _text(data[0])})
        uids = sorted({int(uid) for uid in (data[0] or b"").split()})
        return {self._key(str(uid)): str(uid) for uid in uids}

    def fetch(self, refs: list[str]) -> Iterator[tuple[str, bytes]]:
        typ, data = self.conn.uid("FETCH", ",".join(refs), "(UID BODY.PEEK[])")
        if typ != "OK":
            raise FetchError(_("UID FETCH failed: %(reason)s") % {"reason": _text(data[0])})
        for index, item in enumerate(data):
            if not isinstance(item, tuple):
                continue
            head, raw = item
            match = _UID_RE.search(head)
            if match is None and index + 1 < len(data):  # UID after the literal
                tail = data[index + 1]
                match = _UID_RE.search(tail if isinstance(tail, bytes) else b"")
            if match is not None:
                yield match.group(1).decode(), raw

    def delete(self, refs: list[str]) -> None:
        # Commands stay short (servers limit a command line, Dovecot to 64 kB).
        for chunk in _chunks(refs, DELETE_BATCH):
            self._delete(",".join(chunk))

    def _delete(self, uids: str) -> None:
        typ, data = self.conn.uid("STORE", uids, "+FLAGS.SILENT", r"(\Deleted)")
        if typ != "OK":
            raise FetchError(_("UID STORE failed: %(reason)s") % {"reason": _text(data[0])})
        # Without UIDPLUS, EXPUNGE also removes what another client flagged \Deleted — which is
        # what that client asked for anyway.
        typ, data = self.conn.uid("EXPUNGE", uids) if self.uidplus else self.conn.expunge()
        if typ != "OK":
            raise FetchError(_("EXPUNGE failed: %(reason)s") % {"reason": _text(data[0])})

    def close(self) -> None:
        try:
            self.conn.logout()  # not CLOSE: it would expunge messages flagged \Deleted
        except (OSError, imaplib.IMAP4.error, EOFError):
            with contextlib.suppress(OSError):
                self.conn.shutdown()

    def abort(self) -> None:
        self.close()


class _Pop3Session:
    def __init__(self, mailbox: Mailbox, plan: ConnectionPlan, password: str, timeout: float):
        self.mailbox = mailbox
        self.closed = False
        context = plan.ssl_context()
        if plan.tls is TlsMode.IMPLICIT:
            self.conn: poplib.POP3 = poplib.POP3_SSL(
                plan.host, plan.port, context=context, timeout=timeout
            )
        else:
            self.conn = poplib.POP3(plan.host, plan.port, timeout=timeout)
        try:
            if plan.tls in (TlsMode.OPPORTUNISTIC, TlsMode.STARTTLS_REQUIRED):
                try:
                    offers_stls = "STLS" in self.conn.capa()
                except poplib.error_proto:  # no CAPA: no STLS either
                    offers_stls = False
                if offers_stls:
                    self.conn.stls(context=context)
                elif plan.tls is TlsMode.STARTTLS_REQUIRED:
                    raise FetchError(_("Server does not offer STARTTLS (/tls)"))
            try:
                self.conn.user(mailbox.username)
                self.conn.pass_(password)
            except poplib.error_proto as exc:
                raise FetchError(
                    _("Login failed for user %(user)s: %(reason)s")
                    % {"user": mailbox.username, "reason": _text(exc)}
                ) from exc
            self.encrypted = _is_tls(self.conn.sock)
        except BaseException:
            self.abort()
            raise

    def listing(self) -> dict[str, str]:
        try:
            _resp, lines, _octets = self.conn.uidl()
        except poplib.error_proto as exc:
            raise FetchError(_("The POP3 server does not support UIDL.")) from exc
        listing = {}
        for line in lines:
            number, _sep, uidl = line.decode("ascii", "replace").partition(" ")
            # Hex: UIDLs are case-sensitive, and MariaDB's default collation is not.
            uidl_hex = uidl.strip().encode().hex()
            listing[f"pop3:{self.mailbox.pk}:{_location(self.mailbox)}:{uidl_hex}"] = number
        return listing

    def fetch(self, refs: list[str]) -> Iterator[tuple[str, bytes]]:
        for number in refs:
            _resp, lines, _octets = self.conn.retr(int(number))
            yield number, b"\r\n".join(lines) + b"\r\n"

    def delete(self, refs: list[str]) -> None:
        for number in refs:
            self.conn.dele(int(number))
        self.conn.quit()  # POP3 applies DELE only at QUIT
        self.closed = True

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.conn.quit()
        except (OSError, poplib.error_proto, EOFError):
            with contextlib.suppress(OSError):
                self.conn.close()

    def abort(self) -> None:
        # Closing without QUIT leaves the session in AUTHORIZATION/TRANSACTION: no DELE applies.
        self.closed = True
        with contextlib.suppress(OSError):
            self.conn.close()


def _password(mailbox: Mailbox) -> str:
    password = unseal(mailbox.password_sealed, secret_key=settings.SECRET_KEY)
    if mailbox.password_sealed and not password:
        raise FetchError(
            _("The saved password cannot be decrypted (the secret key changed): enter it again.")
        )
    return password


def _open(mailbox: Mailbox, *, timeout: float) -> tuple[_Session, ConnectionPlan]:
    plan = mailbox_connect_settings(mailbox)
    password = _password(mailbox)
    if plan.protocol is MailProtocol.POP3:
        return _Pop3Session(mailbox, plan, password, timeout), plan
    return _ImapSession(mailbox, plan, password, timeout), plan


# --- sync ---------------------------------------------------------------------------------------


@dataclass
class SyncReport:
    mailbox_id: int
    ok: bool = False
    busy: bool = False
    fetched: int = 0
    duplicates: int = 0
    deleted: int = 0
    more: bool = False  # the per-run limit was reached; the next run continues
    encrypted: bool | None = None
    error: str = ""
    uidvalidity_changed: bool = False

    def counts(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched,
            "duplicates": self.duplicates,
            "deleted": self.deleted,
            "more": self.more,
            "encrypted": self.encrypted,
            "uidvalidity_changed": self.uidvalidity_changed,
        }


def _lease_take(mailbox: Mailbox, worker_name: str) -> bool:
    now = timezone.now()
    taken = (
        Mailbox.objects.filter(pk=mailbox.pk)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now))
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


def _store_duplicate(mailbox: Mailbox, key: str, raw: bytes, original: InboundMail) -> None:
    """Record a message already stored under another key (UIDVALIDITY changed, mailbox moved):
    kept as ``ignored`` so the key is known — the next sync skips it and "Delete messages" may
    remove it from the server — and never imported twice."""
    try:
        with transaction.atomic():
            row = InboundMail(
                mailbox=mailbox,
                key=key[:255],
                size=len(raw),
                sha256=original.sha256,
                message_id=original.message_id,
                status=InboundStatus.IGNORED,
                decision=f"same message as {original.key}"[:255],
            )
            inbound_row_create(row, raw)
    except IntegrityError:  # another worker recorded it first
        pass


def _store(mailbox: Mailbox, key: str, raw: bytes, report: SyncReport) -> None:
    if len(raw) <= MAX_RAW_BYTES:
        digest = hashlib.sha256(raw).hexdigest()
        # Same bytes, so the same Message-ID too: a message we already hold under an old key.
        original = (
            InboundMail.objects.filter(mailbox=mailbox, sha256=digest)
            .exclude(key=key)
            .order_by("id")
            .first()
        )
        if original is not None:
            _store_duplicate(mailbox, key, raw, original)
            report.duplicates += 1
            return
    if inbound_store(mailbox=mailbox, key=key, raw=raw) is not None:
        report.fetched += 1


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stored_keys(mailbox: Mailbox, keys: list[str], *, pending_only: bool = False) -> list[str]:
    """Which of these keys are stored (``pending_only``: and not yet done on the server)."""
    found: list[str] = []
    for chunk in _chunks(keys, KEY_QUERY_CHUNK):
        rows = InboundMail.objects.filter(mailbox=mailbox, key__in=chunk)
        if pending_only:
            rows = rows.filter(server_done=False)
        found.extend(rows.values_list("key", flat=True))
    return found


def _run(mailbox: Mailbox, session: _Session, report: SyncReport, worker_name: str) -> None:
    listing = session.listing()
    stored = set(_stored_keys(mailbox, list(listing)))
    missing = [key for key in listing if key not in stored]
    report.more = len(missing) > MAX_MESSAGES_PER_RUN
    key_of = {ref: key for key, ref in listing.items()}
    for batch in _chunks(missing[:MAX_MESSAGES_PER_RUN], FETCH_BATCH):
        for ref, raw in session.fetch([listing[key] for key in batch]):
            if ref in key_of:
                _store(mailbox, key_of[ref], raw, report)
        if not _lease_renew(mailbox, worker_name):
            raise _LeaseLost(_("Another worker took over this mailbox; stopping."))
    if mailbox.delete_messages:
        _delete_stored(mailbox, session, listing, report)


def _delete_stored(
    mailbox: Mailbox, session: _Session, listing: dict[str, str], report: SyncReport
) -> None:
    """Delete on the server what is safely in the database — and only that."""
    pending = _stored_keys(mailbox, list(listing), pending_only=True)
    if pending:
        session.delete([listing[key] for key in pending])
        for chunk in _chunks(pending, KEY_QUERY_CHUNK):
            InboundMail.objects.filter(key__in=chunk).update(server_done=True)
        report.deleted = len(pending)


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
        session, plan = _open(mailbox, timeout=SYNC_TIMEOUT_SECONDS)
        try:
            report.encrypted = session.encrypted
            if isinstance(session, _ImapSession):
                _check_uidvalidity(mailbox, session, report)
            _run(mailbox, session, report, worker_name)
        except BaseException:
            session.abort()
            raise
        session.close()
        report.ok = True
    except Exception as exc:
        report.error = _describe(exc, plan)
        if isinstance(exc, _EXPECTED):
            log.warning("mailbox %s: %s", mailbox.pk, report.error)
        else:
            log.exception("mailbox %s: sync failed", mailbox.pk)
    _finish(mailbox, report, worker_name)
    return report


def _check_uidvalidity(mailbox: Mailbox, session: _ImapSession, report: SyncReport) -> None:
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
        if mailbox.is_configured or mailbox.sync_requested_at is not None:
            reports.append(mailbox_sync(mailbox, worker_name=worker_name))
    return reports


def mailbox_test_connection(mailbox: Mailbox) -> tuple[bool, str]:
    """Connect, log in and open the folder; nothing is fetched or changed. A message for people."""
    plan = mailbox_connect_settings(mailbox)
    if not mailbox.is_configured:
        return False, _("The mailbox is not configured (URL, user and password).")
    try:
        session, plan = _open(mailbox, timeout=TEST_TIMEOUT_SECONDS)
    except Exception as exc:
        return False, _describe(exc, plan)
    encrypted = session.encrypted
    session.close()
    if encrypted:
        message = _("Connection successful: logged in to %(where)s, encrypted (TLS).")
    else:
        message = _("Connection successful: logged in to %(where)s, NOT encrypted.")
    return True, message % {"where": f"{plan.host}:{plan.port}"}
