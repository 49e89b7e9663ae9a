"""The two protocols behind one small interface (``Session``: list, fetch, delete, close,
abort): IMAP by UID within UIDVALIDITY, POP3 by UIDL. Each message is keyed by where it lives on
its server, so fetching it again can never store it twice.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import imaplib
import poplib
import re
import ssl
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from comptoir.lib.secretbox import unseal
from comptoir.mail.connection import (
    ConnectionPlan,
    FetchError,
    LoginFailed,
    MailProtocol,
    TlsMode,
    mailbox_connect_settings,
    server_text,
)
from comptoir.mail.copies import INLINE_BYTES, RawSpool
from comptoir.mail.models import AuthMethod, Mailbox
from comptoir.mail.oauth import oauth_access_token

DELETE_BATCH = 500
# A large message is read in pieces of this size (IMAP partial FETCH), never whole in memory.
PIECE_BYTES = 1024 * 1024


def chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Session(Protocol):
    encrypted: bool

    def listing(self) -> dict[str, str]:
        """Every message on the server: storage key → server reference (UID or message number)."""

    def sizes(self, refs: list[str]) -> dict[str, int]:
        """The size in bytes of each of these messages, as the server reports it."""

    def head(self, ref: str) -> bytes:
        """The header block of one message (for a message too large to fetch)."""

    def fetch(self, refs: list[str]) -> Iterator[tuple[str, RawSpool]]:
        """(reference, spooled bytes) for the given references, without marking anything
        read; a message larger than ``INLINE_BYTES`` is read in pieces."""

    def delete(self, refs: list[str]) -> None:
        """Delete these messages for good (the deletion is committed when this returns)."""

    def close(self) -> None:
        """Log out; with POP3 this commits the deletions."""

    def abort(self) -> None:
        """Drop the connection after a failure; with POP3 nothing is deleted."""


def mailbox_location(mailbox: Mailbox) -> str:
    """Where the messages live (server, user, folder): part of each key, so that pointing the
    mailbox elsewhere can never make a new message look already stored."""
    place = f"{mailbox.host.lower()}|{mailbox.username}|{mailbox.folder}|{mailbox.use_pop3}"
    return hashlib.sha256(place.encode()).hexdigest()[:10]


def _is_tls(sock: object) -> bool:
    return isinstance(sock, ssl.SSLSocket)


def imap_utf7(folder: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 §5.1.3): printable ASCII as is ("&"
    as "&-"), anything else as "&" + base64 of its UTF-16 (with "," for "/") + "-"."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode()
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in folder:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _quote_folder(folder: str) -> str:
    folder = imap_utf7(folder)
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


_UID_RE = re.compile(rb"UID (\d+)")
_SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)")


class TlsMissing(FetchError):
    """The server offers no STARTTLS where it is required."""


class FolderError(FetchError):
    """The folder cannot be opened."""


def starttls_missing(plan: ConnectionPlan) -> FetchError:
    """The server offers no STARTTLS: nothing is sent, the password least of all (unencrypted
    only when /notls says so)."""
    if plan.tls is TlsMode.STARTTLS_REQUIRED:
        return TlsMissing(_("Server does not offer STARTTLS (/tls)"))
    return TlsMissing(
        _(
            "The server does not offer STARTTLS, so the password is not sent: tick /notls "
            "to send it unencrypted, or use /ssl."
        )
    )


class ImapSession:
    """IMAP: messages by UID within the folder's UIDVALIDITY, read without marking them seen."""

    def __init__(
        self, mailbox: Mailbox, plan: ConnectionPlan, password: str | Bearer, timeout: float
    ):
        self.mailbox = mailbox
        self.mechanism = "LOGIN"
        self.known_sizes: dict[str, int] = {}
        context = plan.ssl_context()
        if plan.tls is TlsMode.IMPLICIT:
            self.conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                plan.host, plan.port, ssl_context=context, timeout=timeout
            )
        else:
            self.conn = imaplib.IMAP4(plan.host, plan.port, timeout=timeout)
        try:
            if plan.tls in (TlsMode.STARTTLS, TlsMode.STARTTLS_REQUIRED):
                if "STARTTLS" not in self.conn.capabilities:
                    raise starttls_missing(plan)
                self.conn.starttls(ssl_context=context)
            try:
                if isinstance(password, Bearer):
                    self._authenticate(password)
                else:
                    self.conn.login(mailbox.username, password)
            except imaplib.IMAP4.abort:
                raise
            except imaplib.IMAP4.error as exc:
                raise LoginFailed(
                    _("Login failed for user %(user)s: %(reason)s")
                    % {"user": mailbox.username, "reason": server_text(exc)}
                ) from exc
            self.encrypted = _is_tls(self.conn.sock)
            typ, data = self.conn.select(_quote_folder(mailbox.folder or "INBOX"))
            if typ != "OK":
                raise FolderError(
                    _("Cannot open the folder %(folder)s: %(reason)s")
                    % {"folder": mailbox.folder, "reason": server_text(data[0] if data else "")}
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

    def _authenticate(self, bearer: Bearer) -> None:
        """XOAUTH2 (Google's and Microsoft's), or OAUTHBEARER (RFC 7628) where only it is
        offered. A refusal comes as a challenge with the reason: answered empty, then NO."""
        offered = self.conn.capabilities
        mechanism = (
            "XOAUTH2"
            if "AUTH=XOAUTH2" in offered or "AUTH=OAUTHBEARER" not in offered
            else "OAUTHBEARER"
        )
        first = [True]

        def answer(_challenge: bytes) -> bytes:
            if first[0]:
                first[0] = False
                return sasl_bearer(mechanism, self.mailbox.username, bearer.token).encode()
            return b""

        self.conn.authenticate(mechanism, answer)
        self.mechanism = mechanism

    def _key(self, uid: str) -> str:
        return f"imap:{self.mailbox.pk}:{mailbox_location(self.mailbox)}:{self.uidvalidity}:{uid}"

    def listing(self) -> dict[str, str]:
        typ, data = self.conn.uid("SEARCH", "ALL")
        if typ != "OK":
            raise FetchError(_("UID SEARCH failed: %(reason)s") % {"reason": server_text(data[0])})
        uids = sorted({int(uid) for uid in (data[0] or b"").split()})
        return {self._key(str(uid)): str(uid) for uid in uids}

    def sizes(self, refs: list[str]) -> dict[str, int]:
        typ, data = self.conn.uid("FETCH", ",".join(refs), "(UID RFC822.SIZE)")
        if typ != "OK":
            raise FetchError(_("UID FETCH failed: %(reason)s") % {"reason": server_text(data[0])})
        found = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            uid, size = _UID_RE.search(line or b""), _SIZE_RE.search(line or b"")
            if uid and size:
                found[uid.group(1).decode()] = int(size.group(1))
        self.known_sizes.update(found)
        return found

    def head(self, ref: str) -> bytes:
        typ, data = self.conn.uid("FETCH", ref, "(UID BODY.PEEK[HEADER])")
        if typ != "OK":
            raise FetchError(_("UID FETCH failed: %(reason)s") % {"reason": server_text(data[0])})
        return next((item[1] for item in data if isinstance(item, tuple)), b"")

    def _fetch_large(self, ref: str) -> RawSpool | None:
        """One message in pieces (``BODY.PEEK[]<offset.length>``): memory holds one piece."""
        spool = RawSpool()
        while True:
            typ, data = self.conn.uid(
                "FETCH", ref, f"(UID BODY.PEEK[]<{spool.size}.{PIECE_BYTES}>)"
            )
            if typ != "OK":
                spool.close()
                raise FetchError(
                    _("UID FETCH failed: %(reason)s") % {"reason": server_text(data[0])}
                )
            piece = next((item[1] for item in data if isinstance(item, tuple)), None)
            if piece is None and spool.size == 0:  # gone from the server meanwhile
                spool.close()
                return None
            spool.write(piece or b"")
            if not piece or len(piece) < PIECE_BYTES:
                spool.finish()
                return spool

    def fetch(self, refs: list[str]) -> Iterator[tuple[str, RawSpool]]:
        large = [ref for ref in refs if self.known_sizes.get(ref, 0) > INLINE_BYTES]
        small = [ref for ref in refs if ref not in large]
        if small:
            yield from self._fetch_small(small)
        for ref in large:
            spool = self._fetch_large(ref)
            if spool is not None:
                yield ref, spool

    def _fetch_small(self, refs: list[str]) -> Iterator[tuple[str, RawSpool]]:
        typ, data = self.conn.uid("FETCH", ",".join(refs), "(UID BODY.PEEK[])")
        if typ != "OK":
            raise FetchError(_("UID FETCH failed: %(reason)s") % {"reason": server_text(data[0])})
        for index, item in enumerate(data):
            if not isinstance(item, tuple):
                continue
            head, raw = item
            match = _UID_RE.search(head)
            if match is None and index + 1 < len(data):  # UID after the literal
                tail = data[index + 1]
                match = _UID_RE.search(tail if isinstance(tail, bytes) else b"")
            if match is not None:
                yield match.group(1).decode(), RawSpool.of(raw)

    def delete(self, refs: list[str]) -> None:
        # Commands stay short (servers limit a command line, Dovecot to 64 kB).
        for chunk in chunks(refs, DELETE_BATCH):
            self._delete(",".join(chunk))

    def _delete(self, uids: str) -> None:
        typ, data = self.conn.uid("STORE", uids, "+FLAGS.SILENT", r"(\Deleted)")
        if typ != "OK":
            raise FetchError(_("UID STORE failed: %(reason)s") % {"reason": server_text(data[0])})
        # Without UIDPLUS, EXPUNGE also removes what another client flagged \Deleted — which is
        # what that client asked for anyway.
        typ, data = self.conn.uid("EXPUNGE", uids) if self.uidplus else self.conn.expunge()
        if typ != "OK":
            raise FetchError(_("EXPUNGE failed: %(reason)s") % {"reason": server_text(data[0])})

    def close(self) -> None:
        try:
            self.conn.logout()  # not CLOSE: it would expunge messages flagged \Deleted
        except (OSError, imaplib.IMAP4.error, EOFError):
            with contextlib.suppress(OSError):
                self.conn.shutdown()

    def abort(self) -> None:
        self.close()


class Pop3Session:
    """POP3: messages by UIDL; deletions apply at QUIT only."""

    def __init__(
        self, mailbox: Mailbox, plan: ConnectionPlan, password: str | Bearer, timeout: float
    ):
        self.mailbox = mailbox
        self.mechanism = "USER/PASS"
        self.closed = False
        context = plan.ssl_context()
        if plan.tls is TlsMode.IMPLICIT:
            self.conn: poplib.POP3 = poplib.POP3_SSL(
                plan.host, plan.port, context=context, timeout=timeout
            )
        else:
            self.conn = poplib.POP3(plan.host, plan.port, timeout=timeout)
        try:
            if plan.tls in (TlsMode.STARTTLS, TlsMode.STARTTLS_REQUIRED):
                try:
                    offers_stls = "STLS" in self.conn.capa()
                except poplib.error_proto:  # no CAPA: no STLS either
                    offers_stls = False
                if not offers_stls:
                    raise starttls_missing(plan)
                self.conn.stls(context=context)
            try:
                if isinstance(password, Bearer):
                    self._authenticate(password)
                else:
                    self.conn.user(mailbox.username)
                    self.conn.pass_(password)
            except poplib.error_proto as exc:
                raise LoginFailed(
                    _("Login failed for user %(user)s: %(reason)s")
                    % {"user": mailbox.username, "reason": server_text(exc)}
                ) from exc
            self.encrypted = _is_tls(self.conn.sock)
        except BaseException:
            self.abort()
            raise

    def _authenticate(self, bearer: Bearer) -> None:
        """POP3 AUTH (RFC 5034) with XOAUTH2 and its initial response (poplib has no AUTH)."""
        response = sasl_bearer("XOAUTH2", self.mailbox.username, bearer.token)
        encoded = base64.b64encode(response.encode()).decode()
        try:
            self.conn._shortcmd(f"AUTH XOAUTH2 {encoded}")  # type: ignore[attr-defined]
        except poplib.error_proto:
            raise
        self.mechanism = "XOAUTH2"

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
            listing[f"pop3:{self.mailbox.pk}:{mailbox_location(self.mailbox)}:{uidl_hex}"] = number
        return listing

    def sizes(self, refs: list[str]) -> dict[str, int]:
        _resp, lines, _octets = self.conn.list()
        wanted, found = set(refs), {}
        for line in lines:
            number, _sep, size = line.decode("ascii", "replace").partition(" ")
            if number in wanted and size.strip().isdigit():
                found[number] = int(size.strip())
        return found

    def head(self, ref: str) -> bytes:
        _resp, lines, _octets = self.conn.top(int(ref), 0)
        return b"\r\n".join(lines) + b"\r\n"

    def fetch(self, refs: list[str]) -> Iterator[tuple[str, RawSpool]]:
        for number in refs:
            yield number, self._retr(number)

    def _retr(self, number: str) -> RawSpool:
        """RETR read line by line into a spool (poplib's ``retr`` keeps every line in a list)."""
        conn: Any = self.conn  # poplib's line reader: not in its typed interface
        conn._putcmd(f"RETR {int(number)}")
        conn._getresp()  # -ERR raises error_proto
        spool = RawSpool()
        pending: list[bytes] = []
        held = 0
        while True:
            line, _octets = conn._getline()
            if line == b".":
                break
            if line.startswith(b".."):
                line = line[1:]
            pending.append(line + b"\r\n")
            held += len(line) + 2
            if held >= PIECE_BYTES:
                spool.write(b"".join(pending))
                pending, held = [], 0
        spool.write(b"".join(pending))
        spool.finish()
        return spool

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


@dataclass(frozen=True)
class Bearer:
    """An OAuth2 access token, given instead of a password."""

    token: str


def sasl_bearer(mechanism: str, user: str, token: str) -> str:
    """The initial response of XOAUTH2 or OAUTHBEARER (RFC 7628)."""
    if mechanism == "OAUTHBEARER":
        return f"n,a={user},\x01auth=Bearer {token}\x01\x01"
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def _password(mailbox: Mailbox) -> str:
    password = unseal(mailbox.password_sealed, secret_key=settings.SECRET_KEY)
    if mailbox.password_sealed and not password:
        raise FetchError(
            _("The saved password cannot be decrypted (the secret key changed): enter it again.")
        )
    return password


def _open(mailbox: Mailbox, plan: ConnectionPlan, secret: str | Bearer, timeout: float) -> Session:
    if plan.protocol is MailProtocol.POP3:
        return Pop3Session(mailbox, plan, secret, timeout)
    return ImapSession(mailbox, plan, secret, timeout)


def session_open(mailbox: Mailbox, *, timeout: float) -> tuple[Session, ConnectionPlan]:
    """A logged-in session on the mailbox's server (IMAP: its folder open), with its plan.

    With OAuth2 the access token is refreshed first when it is about to expire; a token the
    server refuses is refreshed once more (it may have been cut short), and a grant the provider
    refuses stops the mailbox (``oauth_access_token``)."""
    plan = mailbox_connect_settings(mailbox)
    if mailbox.auth_method != AuthMethod.OAUTH2:
        return _open(mailbox, plan, _password(mailbox), timeout), plan
    try:
        return _open(mailbox, plan, Bearer(oauth_access_token(mailbox=mailbox)), timeout), plan
    except LoginFailed:
        token = oauth_access_token(mailbox=mailbox, force=True)
    return _open(mailbox, plan, Bearer(token), timeout), plan
