"""A real Dovecot for the fetcher tests: one per session (scripts/dovecot-test.sh), on free ports.

``dovecot`` serves IMAP (+STARTTLS), IMAPS, POP3 (+STLS) and POP3S with a self-signed certificate
(its CA file is ``dovecot.cafile``); ``dovecot_plain`` is a second server with ``ssl = no`` (no
STARTTLS at all). Users: alice/alicepw, bob/bobpw. Each test that uses them starts with alice's and
bob's INBOX empty.
"""

from __future__ import annotations

import imaplib
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from comptoir.testing import free_port, require

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "dovecot-test.sh"
USERS = {"alice": "alicepw", "bob": "bobpw"}


@dataclass
class Dovecot:
    directory: Path
    host: str
    imap: int
    imaps: int
    pop3: int
    pop3s: int
    ssl: bool

    @property
    def cafile(self) -> str:
        return str(self.directory / "cert.pem")

    @property
    def log(self) -> str:
        return (self.directory / "dovecot.log").read_text(errors="replace")

    def log_mark(self) -> int:
        """Where the log ends now: ``sessions_since`` reads only what comes after."""
        return len(self.log)

    def sessions_since(self, mark: int, *, count: int = 1) -> list[str]:
        """The login processes' lines about the sessions that ended after ``mark`` ("Login:",
        "Disconnected … (no auth attempts …)", "auth failed"…), waiting up to 5 s for ``count``
        of them: Dovecot writes them when the client has gone."""
        deadline = time.monotonic() + 5
        while True:
            lines = [
                line
                for line in self.log[mark:].splitlines()
                if re.search(r"(imap|pop3)-login: Info: (Login|Disconnected|Aborted login)", line)
            ]
            if len(lines) >= count or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)

    def connect(self, user: str = "alice") -> imaplib.IMAP4:
        """An IMAP session for the test's own checks (not the code under test)."""
        conn = imaplib.IMAP4(self.host, self.imap, timeout=10)
        if self.ssl:
            conn.starttls(ssl_context=ssl.create_default_context(cafile=self.cafile))
        conn.login(user, USERS[user])
        return conn

    def append(self, raw: bytes, *, user: str = "alice", folder: str = "INBOX") -> None:
        conn = self.connect(user)
        try:
            # typeshed says str; imaplib returns (type, data)
            response: Any = conn.append(f'"{folder}"', "", "", raw)
            assert response[0] == "OK", response
        finally:
            conn.logout()

    def flags(self, *, user: str = "alice", folder: str = "INBOX") -> dict[int, set[str]]:
        """UID → flags of every message in the folder (opened read-only)."""
        conn = self.connect(user)
        try:
            conn.select(f'"{folder}"', readonly=True)
            typ, data = conn.uid("FETCH", "1:*", "(UID FLAGS)")
            assert typ == "OK", data
            result = {}
            for item in data:
                if not isinstance(item, bytes):
                    continue
                uid = re.search(rb"UID (\d+)", item)
                flags = re.search(rb"FLAGS \(([^)]*)\)", item)
                if uid and flags:
                    result[int(uid.group(1))] = set(flags.group(1).decode().split())
            return result
        finally:
            conn.logout()

    def count(self, *, user: str = "alice", folder: str = "INBOX") -> int:
        return len(self.flags(user=user, folder=folder))

    def empty(self, *, user: str = "alice", folder: str = "INBOX") -> None:
        conn = self.connect(user)
        try:
            conn.select(f'"{folder}"')
            conn.uid("STORE", "1:*", "+FLAGS.SILENT", r"(\Deleted)")
            conn.expunge()
        finally:
            conn.logout()

    def recreate_folder(self, folder: str, *, user: str = "alice") -> None:
        """Delete (if present) and create a folder: it gets a new UIDVALIDITY."""
        conn = self.connect(user)
        try:
            conn.delete(f'"{folder}"')
            typ, data = conn.create(f'"{folder}"')
            assert typ == "OK", data
        finally:
            conn.logout()


def _start(*, ssl_enabled: bool, oauth2_introspection_url: str = "") -> Dovecot:
    require(bool(shutil.which("dovecot")) or os.path.exists("/usr/sbin/dovecot"), "Dovecot")
    # Not tmp_path: /tmp/pytest-of-root is 0700, and as root Dovecot's mail processes run as
    # 'dovecot', which must be able to reach this folder.
    directory = Path(tempfile.mkdtemp(prefix="comptoir-dovecot-"))
    os.chmod(directory, 0o755)  # noqa: S103
    server = Dovecot(
        directory=directory,
        host="127.0.0.1",
        imap=free_port(),
        imaps=free_port(),
        pop3=free_port(),
        pop3s=free_port(),
        ssl=ssl_enabled,
    )
    ports = [str(p) for p in (server.imap, server.imaps, server.pop3, server.pop3s)]
    env = {**os.environ, "DOVECOT_SSL": "yes" if ssl_enabled else "no"}
    if oauth2_introspection_url:
        env["DOVECOT_OAUTH2_INTROSPECTION_URL"] = oauth2_introspection_url
    subprocess.run([str(SCRIPT), "start", str(directory), *ports], check=True, env=env)
    return server


def _stop(server: Dovecot) -> None:
    # The master takes ~2.5 s to exit: let it go in the background instead of holding pytest.
    subprocess.Popen(
        ["/bin/sh", "-c", '"$0" stop "$1"; rm -rf "$1"', str(SCRIPT), str(server.directory)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    server = _start(ssl_enabled=True)
    yield server
    _stop(server)


@pytest.fixture(scope="session")
def dovecot_plain() -> Iterator[Dovecot]:
    """A server with ``ssl = no``: no STARTTLS, no IMAPS/POP3S."""
    server = _start(ssl_enabled=False)
    yield server
    _stop(server)


@pytest.fixture
def inbox(dovecot: Dovecot) -> Dovecot:
    """The server, with alice's and bob's INBOX emptied first."""
    for user in USERS:
        dovecot.empty(user=user)
    return dovecot


@pytest.fixture(scope="session")
def oauth_server() -> Iterator[Any]:
    """The loopback OAuth2 authorisation server (``oauth_server.py``, authlib)."""
    from comptoir.mail.tests.oauth_server import OAuthServer

    server = OAuthServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def dovecot_oauth(oauth_server: Any) -> Iterator[Dovecot]:
    """A Dovecot whose ``passdb oauth2`` checks XOAUTH2/OAUTHBEARER tokens with the loopback
    server's introspection endpoint (passwords still work for the tests' own checks)."""
    server = _start(
        ssl_enabled=True, oauth2_introspection_url=oauth_server.introspection_url_with_credentials
    )
    yield server
    _stop(server)
