"""The cluster run's load (``bench.cluster``): what the clients, the API replier and the IMAP
appenders do while workers are being killed, and what they record.

``Setup`` is what the run prepared for them (an API key, a signed-in cookie, threads to answer);
``Results`` gathers latencies and statuses from every client thread.
"""

from __future__ import annotations

import email.message
import http.client
import http.cookies
import imaplib
import json
import os
import random
import re
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.cluster import Dovecot

MAILS = int(os.environ.get("CLUSTER_MAILS", "20000"))
ATTACHMENT_EVERY = 50  # one inbound mail in 50 carries a small attachment
APPENDERS = int(os.environ.get("CLUSTER_APPENDERS", "2"))


@dataclass
class Setup:
    api_key: str
    cookie: str
    thread_ids: list[int]
    contact_id: int


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    errors: Counter[str] = field(default_factory=Counter)
    retried: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[kind][status] += 1


def request(
    conn: http.client.HTTPConnection, method: str, path: str, headers: dict[str, str], body: Any
) -> tuple[int, bytes, http.client.HTTPResponse]:
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, data, response


STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def send(
    conns: dict[int, http.client.HTTPConnection], port: int, method: str, path: str,
    headers: dict[str, str], body: Any, results: Results,
) -> tuple[int, bytes]:  # fmt: skip
    """One request on the client's keep-alive connection to ``port``. A GET whose connection
    was closed before an answer is sent again once on a new connection, as HTTP clients do for
    idempotent requests (RFC 9110, 9.2.2); such retries are counted and reported."""
    try:
        status, data, _r = request(conns[port], method, path, headers, body)
        return status, data
    except STALE:
        conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        if method != "GET":
            raise
        with results.lock:
            results.retried += 1
    status, data, _r = request(conns[port], method, path, headers, body)
    return status, data


def contact_form_state(port: int) -> tuple[str, str, str]:
    """(csrf cookie, csrf form field, form token) of the contact form as a browser gets it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    _status, html, response = request(conn, "GET", "/contact/?lang=en", {}, None)
    jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
    for value in response.headers.get_all("Set-Cookie") or []:
        jar.load(value)
    text = html.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    token = re.search(r'name="form_token" value="([^"]+)"', text)
    if csrf is None or token is None:
        raise SystemExit("the contact form has no CSRF or form token")
    return jar["csrftoken"].value, csrf[1], token[1]


def load_client(
    number: int, ports: list[int], setup: Setup, forms: dict[int, tuple[str, str, str]],
    results: Results, stop: threading.Event,
) -> None:  # fmt: skip
    chooser = random.Random(number)
    conns = {port: http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports}
    sent = 0
    while not stop.is_set():
        port = chooser.choice(ports)
        kind = chooser.choices(["list", "thread", "contact_get", "contact_post"], [3, 3, 2, 2])[0]
        headers: dict[str, str] = {}
        body = None
        method = "GET"
        if kind == "list":
            path, headers = "/desk/", {"Cookie": setup.cookie}
        elif kind == "thread":
            path = f"/desk/threads/{chooser.choice(setup.thread_ids)}/"
            headers = {"Cookie": setup.cookie}
        elif kind == "contact_get":
            path = "/contact/?lang=en"
        else:
            cookie, csrf, token = forms[port]
            sent += 1
            path, method = "/contact/?lang=en", "POST"
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": csrf,
                    "contact": str(setup.contact_id),
                    "email": f"form.{number}.{sent}@example.org",
                    "order_reference": "",
                    "message": f"Hello, my parcel has not arrived (client {number}, {sent}).",
                    "website": "",
                    "form_token": token,
                }
            )
            headers = {
                "Cookie": f"csrftoken={cookie}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://127.0.0.1:{port}",
                "Referer": f"http://127.0.0.1:{port}/contact/",
            }
        started = time.perf_counter()
        try:
            status, _data = send(conns, port, method, path, headers, body, results)
        except (OSError, http.client.HTTPException) as exc:
            with results.lock:
                results.errors[f"{kind}: {type(exc).__name__}"] += 1
            conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        results.add(kind, status, time.perf_counter() - started)


def api_replier(ports: list[int], setup: Setup, results: Results, stop: threading.Event) -> None:
    """An agent's script: the open threads, newest first, each answered through the API."""
    headers = {"Authorization": f"Bearer {setup.api_key}", "Content-Type": "application/json"}
    conns = {port: http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports}
    turn = 0
    while not stop.is_set():
        turn += 1
        port = ports[turn % len(ports)]
        try:
            started = time.perf_counter()
            status, data = send(
                conns, port, "GET", "/api/v1/threads?status=open&limit=20", headers, None, results
            )
            results.add("api_list", status, time.perf_counter() - started)
            items = json.loads(data).get("items", []) if status == 200 else []
            for item in items[:5]:
                body = json.dumps(
                    {"text": f"Thank you, we are on it ({turn}).", "status_after": "closed"}
                )
                started = time.perf_counter()
                path = f"/api/v1/threads/{item['id']}/replies"
                status, _data = send(conns, port, "POST", path, headers, body, results)
                results.add("api_reply", status, time.perf_counter() - started)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            with results.lock:
                results.errors[f"api: {type(exc).__name__}"] += 1
            conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        time.sleep(0.2)


def mail_text(run: str, number: int) -> bytes:
    message = email.message.EmailMessage()
    message["From"] = f"Customer {number} <customer{number}@example.org>"
    message["To"] = "shop@comptoir.test"
    message["Subject"] = f"Order question {number}"
    message["Message-ID"] = f"<cluster-{run}-{number}@example.org>"
    message["Date"] = email.utils.formatdate()
    message.set_content(f"Hello,\n\nwhere is my order {number}?\n\nCustomer {number}\n")
    if number % ATTACHMENT_EVERY == 0:
        message.add_attachment(
            attachment_bytes(run, number), maintype="text", subtype="plain",
            filename=f"note-{number}.txt",
        )  # fmt: skip
    return message.as_bytes()


def attachment_bytes(run: str, number: int) -> bytes:
    return f"attachment of mail {number} in run {run}\n".encode() * 20


def mail_appender(
    dovecot: Dovecot, run: str, seconds: float, done: dict[str, float], part: int = 0
) -> None:
    """Appends its share of the MAILS mails (every APPENDERS-th, from ``part``) to alice's INBOX,
    spread over ``seconds`` (as fast as it can if the server is slower); several appenders, each
    on its own IMAP connection, side by side."""
    conn = dovecot.connect()
    started = time.monotonic()
    done.setdefault("started", time.time())
    for number in range(part, MAILS, APPENDERS):
        ahead = started + seconds * number / MAILS - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
        for attempt in range(5):
            try:
                typ, data = conn.append("INBOX", "", imaplib.Time2Internaldate(time.time()),
                                        mail_text(run, number))  # fmt: skip
                if typ != "OK":
                    raise imaplib.IMAP4.error(str(data))
                break
            except (OSError, imaplib.IMAP4.error):
                if attempt == 4:
                    raise
                conn = dovecot.connect()
    done["appended"] = max(done.get("appended", 0.0), time.time())
    conn.logout()


def logged_errors(folder: Path, limit: int = 3) -> list[str]:
    """The first ``limit`` tracebacks the web processes and workers logged, each as its first
    line and its last three: what a failed run prints, so that CI's log says what broke."""
    found: list[str] = []
    for path in sorted(folder.glob("*.log")):
        lines = path.read_text(errors="replace").splitlines()
        for number, line in enumerate(lines):
            if not line.startswith("Traceback") or len(found) >= limit:
                continue
            block = [line]
            for following in lines[number + 1 :]:
                if following and not following[0].isspace() and following[0] != "T":
                    block.append(following)
                    break
                block.append(following)
            head = lines[number - 1] if number else ""
            found.append("\n    ".join([f"{path.name}: {head}", *block[-4:]]))
    return found
