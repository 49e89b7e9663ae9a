"""The cluster run (issue 20): several comptoir processes on one database, under load and crashes.

Usage: python -m bench.cluster          (``make cluster-test``; ``make cluster-test-ci`` is short)

On loopback it starts: a fresh PostgreSQL database (``comptoir_cluster``, migrated), Dovecot
(``scripts/dovecot-test.sh``), an SMTP sink (aiosmtpd, keeping every message), a webhook receiver,
2 web processes (``comptoir serve --web-only``, granian) and 3 workers (``comptoir worker``), all
sharing one data folder. With ``COMPTOIR_REDIS_URL`` set the processes use that Redis; with
``CLUSTER_S3=1`` (and moto installed) a moto S3 server is started and ``COMPTOIR_STORAGE_URL``
points at it — both only when settings.py knows the setting.

For ``CLUSTER_SECONDS`` (120) it drives the pages (desk list, a thread, the contact form) and
contact-form posts from ``CLUSTER_CLIENTS`` (8) threads, appends ``CLUSTER_MAILS`` (20,000) mails to
Dovecot over IMAP, replies to threads through the REST API, and SIGKILLs a random worker every
``CLUSTER_KILL_EVERY`` (4) seconds, starting it again at once. Then it waits for the work to
drain and checks: every mail imported exactly once (by Message-ID), every outgoing e-mail sent
and received by the sink at least once and at most once per attempt, every webhook event
received, no 5xx, attachments readable from both web processes; then a backup (pg_dump and the
data folder, ``ops/deploy/backup``) restored into a fresh database (``ops/deploy/restore``) has
the same counts. Prints throughput and p50/p99 latencies, writes them to
``<data folder>/cluster-result.json``. Exit status 1 on a failed check.

Without PostgreSQL or Dovecot it says so and stops with status 0 — except under CI=true, where
a missing component is a failure (status 1).
"""

from __future__ import annotations

import http.client
import http.cookies
import http.server
import imaplib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.cluster_load import (
    APPENDERS,
    MAILS,
    Results,
    Setup,
    api_replier,
    attachment_bytes,
    contact_form_state,
    load_client,
    logged_errors,
    mail_appender,
    request,
)

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECONDS = int(os.environ.get("CLUSTER_SECONDS", "120"))
CLIENTS = int(os.environ.get("CLUSTER_CLIENTS", "8"))
KILL_EVERY = float(os.environ.get("CLUSTER_KILL_EVERY", "4"))
DRAIN_SECONDS = int(os.environ.get("CLUSTER_DRAIN_SECONDS", "900"))
WEBS = 2
WORKERS = 3
DATABASE = os.environ.get(
    "CLUSTER_DATABASE_URL",
    os.environ.get(
        "COMPTOIR_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/comptoir"
    ).rsplit("/", 1)[0]
    + "/comptoir_cluster",
)
SECRET = "cluster-run-secret-key-not-for-production-0123456789"  # noqa: S105 (loopback run)


def in_ci() -> bool:
    return os.environ.get("CI", "") in {"true", "1", "yes"}


def log(text: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {text}", flush=True)


def missing(component: str) -> None:
    if in_ci():
        log(f"FAIL: {component} is required under CI=true")
        raise SystemExit(1)
    log(f"{component} is not available: the cluster run is skipped on this machine")
    raise SystemExit(0)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --- the servers the processes talk to -------------------------------------------------------


def database_recreate(url: str) -> None:
    """Drop and create the database named in ``url`` (connecting to the ``postgres`` one)."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        missing(f"PostgreSQL at {admin}")


@dataclass
class Dovecot:
    directory: Path
    imap: int = field(default_factory=free_port)

    def start(self) -> None:
        if not (shutil.which("dovecot") or Path("/usr/sbin/dovecot").exists()):
            missing("Dovecot")
        ports = [str(self.imap)] + [str(free_port()) for _ in range(3)]
        env = {**os.environ, "DOVECOT_SSL": "no"}
        script = str(ROOT / "scripts" / "dovecot-test.sh")
        # Dovecot's master stays in the background: it must not hold the caller's output open.
        with (self.directory.parent / "dovecot-start.log").open("wb") as out:
            subprocess.run(
                [script, "start", str(self.directory), *ports],
                check=True, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
            )  # fmt: skip

    def stop(self) -> None:
        script = str(ROOT / "scripts" / "dovecot-test.sh")
        subprocess.run([script, "stop", str(self.directory)], check=False, stdin=subprocess.DEVNULL)

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.imap, timeout=30)
        conn.login("alice", "alicepw")
        return conn


class WebhookReceiver:
    """Answers 200 to every POST and keeps each event id it hears (duplicates counted)."""

    def __init__(self) -> None:
        self.events: Counter[str] = Counter()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                receiver.events[self.headers.get("Comptoir-Event-Id", "")] += 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def moto_start(folder: Path) -> subprocess.Popen[bytes] | None:
    """A moto S3 server on loopback when asked for (CLUSTER_S3=1) and settings.py knows
    COMPTOIR_STORAGE_URL; sets that variable for the processes."""
    if os.environ.get("CLUSTER_S3") != "1":
        return None
    try:
        import boto3
        import moto  # noqa: F401
    except ImportError:
        missing("moto and boto3 (for the S3 server)")
    port = free_port()
    out = (folder / "moto.log").open("wb")
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(command, stdout=out, stderr=out)
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
            break
        except OSError:
            time.sleep(0.1)
    boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="cluster",
        aws_secret_access_key="cluster",  # noqa: S106 (the loopback test server's)
        region_name="us-east-1",
    ).create_bucket(Bucket="comptoir-cluster")
    # The form comptoir.lib.storageurl reads: key, secret, host and port, bucket; plain HTTP.
    os.environ["COMPTOIR_STORAGE_URL"] = (
        f"s3://cluster:cluster@127.0.0.1:{port}/comptoir-cluster?region=us-east-1&tls=0"
    )
    return process


# --- comptoir's processes ---------------------------------------------------------------------


class Processes:
    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.webs: list[tuple[int, subprocess.Popen[bytes]]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        self.kills = 0
        self.lock = threading.Lock()

    def _start(
        self, args: list[str], logname: str, extra: dict[str, str]
    ) -> subprocess.Popen[bytes]:
        out = (self.folder / logname).open("ab")
        return subprocess.Popen(
            [str(BIN / "comptoir"), *args], env={**self.env, **extra}, stdout=out, stderr=out
        )

    def start(self) -> None:
        for number in range(WEBS):
            port = free_port()
            extra = {"COMPTOIR_BIND": f"127.0.0.1:{port}", "COMPTOIR_WEB_WORKERS": "1"}
            self.webs.append(
                (port, self._start(["serve", "--web-only"], f"web{number}.log", extra))
            )
        for number in range(WORKERS):
            self.workers.append(self._start(["worker"], f"worker{number}.log", {}))
        for port, _process in self.webs:
            for _ in range(300):
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    conn.request("GET", "/healthz")
                    if conn.getresponse().status < 500:
                        break
                except OSError:
                    time.sleep(0.2)
            else:
                raise SystemExit(f"the web process on port {port} did not start")

    def kill_one(self) -> None:
        """SIGKILL a random worker, then start it again."""
        with self.lock:
            number = random.randrange(len(self.workers))
            victim = self.workers[number]
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            self.kills += 1
            self.workers[number] = self._start(["worker"], f"worker{number}.log", {})

    def stop(self) -> None:
        everyone = [p for _port, p in self.webs] + self.workers
        for process in everyone:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in everyone:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- the data the run needs --------------------------------------------------------------------


def data_setup(dovecot: Dovecot, receiver: WebhookReceiver) -> Setup:
    from django.conf import settings
    from django.test import Client

    from comptoir.api.models import Scope
    from comptoir.api.services import api_key_create, webhook_create
    from comptoir.lib.secretbox import seal
    from comptoir.mail.models import Mailbox
    from comptoir.staff.models import Role
    from comptoir.testing import default_contact, make_employee, make_thread
    from comptoir.threads.models import Topic

    admin = make_employee("Cluster", role=Role.ADMINISTRATOR)
    _key, clear = api_key_create(
        name="cluster run", scope=Scope.WRITE, employee=admin, created_by=admin
    )
    webhook_create(
        url=receiver.url,
        topics=[topic.value for topic in Topic],
        description="cluster run",
        allow_private_network=True,
        created_by=admin,
    )
    contact = default_contact()
    Mailbox.objects.create(
        host="127.0.0.1",
        port=dovecot.imap,
        username="alice",
        password_sealed=seal("alicepw", secret_key=settings.SECRET_KEY),
        no_tls=True,
        novalidate_cert=True,
        validate_cert=False,
        create_threads=True,
        contact=contact,
    )
    threads = [make_thread(email=f"seed{n}@example.org", text=f"Seed {n}") for n in range(20)]
    client = Client()
    client.force_login(admin)
    return Setup(
        api_key=clear,
        cookie=f"sessionid={client.cookies['sessionid'].value}",
        thread_ids=[t.pk for t in threads],
        contact_id=contact.pk,
    )


# --- the checks --------------------------------------------------------------------------------


def drained(run: str) -> tuple[bool, str]:
    from django.db import close_old_connections

    from comptoir.api.models import DeliveryStatus, WebhookDelivery
    from comptoir.threads.models import EmailStatus, Message, OutboundEmail, OutboundEvent

    close_old_connections()
    imported = Message.objects.filter(message_id__startswith=f"<cluster-{run}-").count()
    emails = OutboundEmail.objects.filter(status__in=[EmailStatus.QUEUED, EmailStatus.SENDING])
    hooks = WebhookDelivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    )
    state = (imported, emails.count(), hooks.count(), OutboundEvent.objects.count())
    text = "imported {}/{}, e-mails waiting {}, webhook deliveries waiting {}, events {}".format(
        state[0], MAILS, *state[1:]
    )
    return imported >= MAILS and state[1:] == (0, 0, 0), text


def mails_imported_seconds(run: str, started: float) -> float:
    """Seconds from the first append until the run's last inbound mail was processed."""
    from django.db.models import Max

    from comptoir.mail.models import InboundMail

    last = InboundMail.objects.filter(message_id__contains=f"cluster-{run}-").aggregate(
        last=Max("processed_at")
    )["last"]
    return last.timestamp() - started if last is not None else 0.0


def checks(run: str, sink: Any, receiver: WebhookReceiver) -> tuple[list[str], dict[str, Any]]:
    from django.db.models import Count

    from comptoir.api.models import DeliveryStatus, WebhookDelivery
    from comptoir.threads.models import EmailStatus, Message, OutboundEmail, OutboundEvent

    failures: list[str] = []
    counts: dict[str, Any] = {}
    # Every inbound mail imported exactly once.
    rows = (
        Message.objects.filter(message_id__startswith=f"<cluster-{run}-")
        .values("message_id")
        .annotate(n=Count("id"))
    )
    per_id = {row["message_id"]: row["n"] for row in rows}
    twice = [mid for mid, n in per_id.items() if n != 1]
    counts["mails_appended"] = MAILS
    counts["mails_imported"] = sum(per_id.values())
    if len(per_id) != MAILS:
        failures.append(f"{MAILS - len(per_id)} inbound mails not imported")
    if twice:
        failures.append(f"{len(twice)} inbound mails imported more than once, e.g. {twice[:3]}")
    # Every outgoing e-mail sent, received at least once, at most once per attempt.
    received: Counter[str] = Counter()
    for envelope in list(sink.messages):
        found = re.search(rb"^Message-ID:\s*(\S+)", envelope.content, re.MULTILINE | re.IGNORECASE)
        if found:
            received[found[1].decode().strip("<>")] += len(envelope.rcpt_tos) and 1
    outgoing = list(OutboundEmail.objects.values_list("header_message_id", "status", "attempts"))
    counts["emails_outgoing"] = len(outgoing)
    counts["emails_received_by_sink"] = sum(received.values())
    ours = set()
    for message_id, status, attempts in outgoing:
        key = message_id.strip("<>")
        ours.add(key)
        if status != EmailStatus.SENT:
            failures.append(f"outgoing e-mail {message_id} is {status}")
        elif received[key] == 0:
            failures.append(f"outgoing e-mail {message_id} marked sent, never received")
        elif received[key] > attempts:
            failures.append(
                f"outgoing e-mail {message_id}: received {received[key]} times, {attempts} tries"
            )
    strangers = set(received) - ours
    if strangers:
        failures.append(f"{len(strangers)} e-mails received that no row sent")
    counts["emails_received_twice"] = sum(1 for n in received.values() if n > 1)
    # No webhook event lost.
    deliveries = list(WebhookDelivery.objects.values_list("event_id", "status"))
    counts["webhook_deliveries"] = len(deliveries)
    counts["webhook_events_received"] = sum(receiver.events.values())
    counts["webhook_events_received_twice"] = sum(1 for n in receiver.events.values() if n > 1)
    for event_id, status in deliveries:
        if status != DeliveryStatus.DELIVERED:
            failures.append(f"webhook delivery {event_id} is {status}")
        elif receiver.events[event_id] == 0:
            failures.append(f"webhook event {event_id} marked delivered, never received")
    if OutboundEvent.objects.exists():
        failures.append("events left undispatched")
    counts["threads"] = Message.objects.values("thread").distinct().count()
    return failures, counts


def downloads_check(ports: list[int], setup: Setup, run: str) -> list[str]:
    """Attachments the workers stored, read back through each web process."""
    from comptoir.threads.models import Attachment

    failures = []
    attachments = list(
        Attachment.objects.filter(
            message__message_id__startswith=f"<cluster-{run}-", original_name__startswith="note-"
        ).order_by("?")[:5]
    )
    if not attachments:
        failures.append("no attachment was imported")
    for attachment in attachments:
        number = int(attachment.original_name.removeprefix("note-").removesuffix(".txt"))
        for port in ports:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status, data, _r = request(
                conn, "GET", f"/desk/attachments/{attachment.pk}/", {"Cookie": setup.cookie}, None
            )
            if status != 200 or data != attachment_bytes(run, number):
                failures.append(f"attachment {attachment.pk} from port {port}: {status}")
    return failures


def restore_check(folder: Path, database: str) -> tuple[list[str], dict[str, Any]]:
    """ops/deploy/backup then ops/deploy/restore into a fresh database and data folder; the
    counts of the main tables and the files must match."""
    from comptoir.threads.models import Attachment, Message, OutboundEmail, Thread

    backup = folder / "backup"
    restored_url = database + "_restore"
    restored_data = folder / "restored-data"
    env = {
        **os.environ,
        "COMPTOIR_DATABASE_URL": database,
        "COMPTOIR_DATA_DIR": str(folder / "data"),
    }
    started = time.monotonic()
    subprocess.run([str(ROOT / "ops" / "deploy" / "backup"), str(backup)], check=True, env=env)
    database_recreate(restored_url)
    env = {**env, "COMPTOIR_DATABASE_URL": restored_url, "COMPTOIR_DATA_DIR": str(restored_data)}
    subprocess.run([str(ROOT / "ops" / "deploy" / "restore"), str(backup)], check=True, env=env)
    seconds = time.monotonic() - started
    import psycopg

    failures = []
    models = {"threads": Thread, "messages": Message, "attachments": Attachment,
              "emails": OutboundEmail}  # fmt: skip
    with psycopg.connect(restored_url) as conn:
        for name, model in models.items():
            table = model._meta.db_table
            row = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # noqa: S608
            restored = row[0] if row else -1
            if restored != model.objects.count():
                failures.append(f"restored {name}: {restored} rows, {model.objects.count()} live")
    if os.environ.get("COMPTOIR_STORAGE_URL", "").startswith("s3:"):
        # The files are in the bucket, not in the backup (docs/deploy.md: the bucket is kept by
        # the provider's versioning); the restored rows must still name objects that exist.
        from django.utils.module_loading import import_string

        from comptoir.lib.storageurl import parse_storage_url

        entry = parse_storage_url(
            os.environ["COMPTOIR_STORAGE_URL"], default_folder=folder, base_dir=ROOT
        )
        bucket = import_string(entry["BACKEND"])(**entry.get("OPTIONS", {}))
        for attachment in Attachment.objects.all()[:50]:
            if not bucket.exists(attachment.storage_name):
                failures.append(f"attachment object {attachment.storage_name} missing")
    else:
        for attachment in Attachment.objects.all()[:50]:
            if not (restored_data / "attachments" / attachment.storage_name).exists():
                failures.append(f"restored attachment file {attachment.storage_name} missing")
            break
    return failures, {"restore_seconds": round(seconds, 1)}


# --- the run -----------------------------------------------------------------------------------


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="comptoir-cluster-"))
    os.chmod(folder, 0o755)  # noqa: S103 (Dovecot's mail processes run as 'dovecot')
    data = folder / "data"
    log(
        f"folder {folder}; {SECONDS} s, {MAILS} mails, {CLIENTS} clients, kill every {KILL_EVERY} s"
    )
    database_recreate(DATABASE)
    dovecot = Dovecot(folder / "dovecot")
    dovecot.start()
    smtp_port = free_port()
    receiver = WebhookReceiver()
    env = {
        **os.environ,
        "COMPTOIR_DATABASE_URL": DATABASE,
        "COMPTOIR_DATA_DIR": str(data),
        "COMPTOIR_SECRET_KEY": SECRET,
        "COMPTOIR_EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "COMPTOIR_WORKER_INTERVAL": "1",
        "COMPTOIR_CONTACT_RATE_PER_IP": "100000000",
        "DJANGO_SETTINGS_MODULE": "comptoir.settings",
    }
    os.environ.update(env)
    import django

    django.setup()
    from comptoir.testing import SmtpServer, SmtpSink

    smtp = SmtpServer(SmtpSink(port=smtp_port))
    smtp.start()
    moto = moto_start(folder)
    env.update({k: v for k, v in os.environ.items() if k.startswith(("COMPTOIR_", "AWS_"))})
    from django.conf import settings

    if getattr(settings, "COMPTOIR_REDIS_URL", ""):
        log(f"Redis: {settings.COMPTOIR_REDIS_URL}")
    log("migrating")
    subprocess.run([str(BIN / "comptoir"), "migrate", "-v0"], check=True, env=env)
    subprocess.run([str(BIN / "comptoir"), "createcachetable"], check=True, env=env)
    setup = data_setup(dovecot, receiver)
    processes = Processes(folder, env)
    failures: list[str] = []
    try:
        processes.start()
        ports = [port for port, _p in processes.webs]
        log(f"web processes on {ports}, {WORKERS} workers")
        forms = {port: contact_form_state(port) for port in ports}
        time.sleep(settings.COMPTOIR_CONTACT_MIN_FILL_SECONDS + 0.5)
        run = f"{os.getpid()}x{int(time.time())}"
        results = Results()
        stop = threading.Event()
        mail_times: dict[str, float] = {}
        appenders = [
            threading.Thread(
                target=mail_appender,
                args=(dovecot, run, SECONDS * 0.9, mail_times, part),
                daemon=True,
            )
            for part in range(APPENDERS)
        ]
        clients = [
            threading.Thread(
                target=load_client, args=(n, ports, setup, forms, results, stop), daemon=True
            )
            for n in range(CLIENTS)
        ]
        clients.append(threading.Thread(target=api_replier, args=(ports, setup, results, stop)))
        started = time.monotonic()
        for appender in appenders:
            appender.start()
        for thread in clients:
            thread.start()
        while time.monotonic() - started < SECONDS or any(a.is_alive() for a in appenders):
            time.sleep(KILL_EVERY)
            processes.kill_one()
        stop.set()
        for thread in clients:
            thread.join()
        load_seconds = time.monotonic() - started
        log(f"load over after {load_seconds:.0f} s, {processes.kills} workers killed; draining")
        drain_started = time.monotonic()
        while True:
            done, state = drained(run)
            if done or time.monotonic() - drain_started > DRAIN_SECONDS:
                break
            log(state)
            time.sleep(3)
        log(state)
        mail_seconds = time.time() - mail_times["started"]
        import_seconds = mails_imported_seconds(run, mail_times["started"])
        drain_seconds = time.monotonic() - drain_started
        found, counts = checks(run, smtp.sink, receiver)
        failures += found
        failures += downloads_check(ports, setup, run)
    finally:
        processes.stop()
        smtp.stop()
        receiver.server.shutdown()
        dovecot.stop()
    try:
        found, restore = restore_check(folder, DATABASE)  # with S3, asks the bucket
    finally:
        if moto is not None:
            moto.terminate()
    failures += found
    # The figures.
    all_latencies = [x for values in results.latencies.values() for x in values]
    fives = {
        kind: sum(n for status, n in statuses.items() if status >= 500)
        for kind, statuses in results.statuses.items()
    }
    if any(fives.values()):
        failures.append(f"5xx answers: {fives}")
    if results.errors:
        failures.append(f"requests that got no answer: {dict(results.errors)}")
    pages = {
        kind: {
            "requests": len(values),
            "rps": round(len(values) / load_seconds, 1),
            "p50_ms": round(percentile(values, 0.5) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "statuses": dict(results.statuses[kind]),
        }
        for kind, values in sorted(results.latencies.items())
    }
    summary = {
        "seconds": round(load_seconds, 1),
        "drain_seconds": round(drain_seconds, 1),
        "webs": WEBS,
        "workers": WORKERS,
        "clients": CLIENTS,
        "workers_killed": processes.kills,
        "requests": len(all_latencies),
        "rps": round(len(all_latencies) / load_seconds, 1),
        "p50_ms": round(percentile(all_latencies, 0.5) * 1000, 1),
        "p99_ms": round(percentile(all_latencies, 0.99) * 1000, 1),
        "get_retries": results.retried,
        "mails_appended_seconds": round(mail_times.get("appended", 0) - mail_times["started"], 1),
        "mails_per_second": round(MAILS / mail_seconds, 1),
        # From the first append to the last mail imported (the e-mails and webhooks it caused
        # may still be leaving): the ingestion rate alone.
        "mails_imported_seconds": round(import_seconds, 1),
        "mails_imported_per_second": round(MAILS / max(import_seconds, 0.1), 1),
        "pages": pages,
        **counts,
        **restore,
        "failures": failures,
    }
    (folder / "cluster-result.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1))
    log(f"{summary['requests']} requests, {summary['rps']} req/s, p50 {summary['p50_ms']} ms, "
        f"p99 {summary['p99_ms']} ms; {MAILS} mails in {mail_seconds:.0f} s "
        f"({summary['mails_per_second']}/s; all imported after {import_seconds:.0f} s, "
        f"{summary['mails_imported_per_second']}/s); {processes.kills} workers killed")  # fmt: skip
    if failures:
        log("FAILED:\n  " + "\n  ".join(failures[:50]))
        for error in logged_errors(folder):
            log(f"logged: {error}")
        return 1
    log("all checks passed")
    if os.environ.get("CLUSTER_KEEP") != "1":
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
