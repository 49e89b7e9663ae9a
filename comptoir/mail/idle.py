"""IMAP IDLE (RFC 2177): a reply shows up within seconds, not at the next periodic sync.

``mailbox_watch`` keeps a connection of its own to one IMAP mailbox and waits in IDLE; when the
server says a message arrived (``* n EXISTS``) it asks for a sync (``sync_requested_at``, as
"Run sync" does) and calls ``on_new`` — the worker wakes its mail lane. Fetching stays the sync's
job, under its lease: IDLE only says *when*. IDLE is renewed every ``RENEW_SECONDS`` (servers
drop an idle client after 30 minutes). A server that does not offer IDLE is left to the periodic
sync; a lost connection is opened again after a pause.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections, connection
from django.utils import timezone

from comptoir.mail.connection import FetchError
from comptoir.mail.models import Mailbox
from comptoir.mail.sessions import ImapSession, session_open

log = logging.getLogger(__name__)

RENEW_SECONDS = 25 * 60
CONNECT_TIMEOUT_SECONDS = 30.0
ANSWER_SECONDS = 30.0
# Between two checks of ``stopping`` while nothing arrives.
POLL_SECONDS = 1.0
RETRY_SECONDS = 30.0
NOT_OFFERED_RETRY_SECONDS = 30 * 60
_NEW = re.compile(rb"^\* \d+ (EXISTS|RECENT)\b", re.IGNORECASE)


class _Lines:
    """Lines read straight from the socket (imaplib has no IDLE before Python 3.14), each read
    bounded by a timeout; the socket stays usable after one."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def line(self, *, wait: float) -> bytes | None:
        """The next line, or None when none came within ``wait`` seconds."""
        ends = time.monotonic() + wait
        while b"\r\n" not in self.buffer:
            left = ends - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                return None
            if not data:
                raise FetchError("the server closed the connection")
            self.buffer += data
        line, _sep, self.buffer = self.buffer.partition(b"\r\n")
        return line


def offers_idle(session: ImapSession) -> bool:
    _typ, caps = session.conn.capability()
    return b"IDLE" in (caps[0] or b"").upper().split()


def idle_once(
    session: ImapSession,
    *,
    tag: bytes,
    until: float,
    stopping: threading.Event,
    on_idle: Callable[[], None] | None = None,
) -> bool:
    """One IDLE command, until a message arrives, ``until`` (monotonic) or ``stopping``;
    whether a message arrived. ``on_idle``: called once the server is idling."""
    sock = session.conn.sock
    lines = _Lines(sock)
    sock.sendall(tag + b" IDLE\r\n")
    answer = lines.line(wait=ANSWER_SECONDS)
    if answer is None or not answer.startswith(b"+"):
        raise FetchError(f"IDLE refused: {answer!r}")
    if on_idle is not None:
        on_idle()
    arrived = False
    while not arrived and not stopping.is_set() and time.monotonic() < until:
        line = lines.line(wait=POLL_SECONDS)
        arrived = line is not None and _NEW.match(line) is not None
    sock.sendall(b"DONE\r\n")
    while True:
        line = lines.line(wait=ANSWER_SECONDS)
        if line is None:
            raise FetchError("no answer to DONE")
        if _NEW.match(line):
            arrived = True
        if line.startswith(tag + b" "):
            sock.settimeout(CONNECT_TIMEOUT_SECONDS)
            return arrived


def mailbox_sync_request(*, mailbox_id: int) -> None:
    """Ask for a sync now, as "Run sync" does."""
    Mailbox.objects.filter(pk=mailbox_id).update(sync_requested_at=timezone.now())


def mailbox_watch(
    *,
    mailbox_id: int,
    stopping: threading.Event,
    on_new: Callable[[], None],
    on_idle: Callable[[], None] | None = None,
) -> None:
    """Watch one IMAP mailbox with IDLE until ``stopping`` is set (``on_idle``: called each
    time the server accepted IDLE, for tests). Never raises."""
    count = 0
    try:
        while not stopping.is_set():
            close_old_connections()
            mailbox = Mailbox.objects.filter(pk=mailbox_id, enabled=True, use_pop3=False).first()
            if mailbox is None or not mailbox.is_configured:
                return
            pause = RETRY_SECONDS
            try:
                session, _plan = session_open(mailbox, timeout=CONNECT_TIMEOUT_SECONDS)
                if not isinstance(session, ImapSession):
                    return
                try:
                    if not offers_idle(session):
                        log.info("mailbox %s: the server does not offer IDLE", mailbox_id)
                        pause = NOT_OFFERED_RETRY_SECONDS
                    else:
                        # What came while nobody watched (since the last sync) is fetched now.
                        mailbox_sync_request(mailbox_id=mailbox_id)
                        on_new()
                        while not stopping.is_set():
                            count += 1
                            until = time.monotonic() + RENEW_SECONDS
                            tag = f"CIDLE{count}".encode()
                            if idle_once(
                                session, tag=tag, until=until, stopping=stopping, on_idle=on_idle
                            ):
                                mailbox_sync_request(mailbox_id=mailbox_id)
                                on_new()
                finally:
                    session.close()
            except Exception as exc:  # a lost connection, a refused login: try again later
                log.warning("mailbox %s: IDLE stopped: %s", mailbox_id, exc)
            stopping.wait(pause)
    finally:
        connection.close()
