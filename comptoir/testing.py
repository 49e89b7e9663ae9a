"""Helpers shared by every test: named characters, make_* helpers and real-service fixtures.

The characters: Alice is a registered customer, Gaston a guest; Bob is an agent, Charlie an
administrator, Dana an agent who left (inactive).

Components that a user meets for real (an SMTP server, Chromium, PostgreSQL…) are real here. When
one is missing, the test is skipped on a developer's machine but FAILS under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from comptoir.shop.models import Customer, Order
from comptoir.staff.models import Employee, Role
from comptoir.staff.services import employee_create
from comptoir.threads.arrivals import thread_open
from comptoir.threads.defaults import default_contacts_ensure
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import Contact, Source, Thread

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct horse battery staple"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def require(available: bool, component: str) -> None:
    """Skip locally, fail in CI, when a real component a test needs is missing."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{component} is required under CI=true but is not available")
    pytest.skip(f"{component} is not available on this machine")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- make_* helpers -----------------------------------------------------------------------------


def make_employee(
    first_name: str = "Bob",
    *,
    role: Role = Role.AGENT,
    language: str = "en",
    active: bool = True,
    email: str | None = None,
) -> Employee:
    employee = employee_create(
        email=email or f"{first_name.lower()}@shop.test",
        password=PASSWORD,
        first_name=first_name,
        last_name="Tester",
        role=role,
        language=language,
    )
    if not active:
        employee.is_active = False
        employee.save(update_fields=["is_active"])
    return employee


def make_customer(
    first_name: str = "Alice",
    *,
    email: str | None = None,
    language: str = "en",
    guest: bool = False,
    last_name: str = "Doe",
) -> Customer:
    customer = Customer(
        email=email or f"{first_name.lower()}@example.com",
        first_name=first_name,
        last_name=last_name,
        language=language,
        is_guest=guest,
    )
    customer.names_fold().save(force_insert=True)
    return customer


def make_order(customer: Customer, *, reference: str = "XKBKNABJK", valid: bool = True) -> Order:
    return Order.objects.create(
        reference=reference,
        customer=customer,
        currency="EUR",
        total_paid=Decimal("49.90"),
        total_paid_shop_currency=Decimal("49.90"),
        valid=valid,
        language=customer.language,
    )


def default_contact() -> Contact:
    """The "Customer service" contact the data migration creates."""
    default_contacts_ensure()
    return Contact.objects.get(name__en="Customer service")


def make_thread(
    *,
    email: str = "alice@example.com",
    text: str = "Where is my parcel?",
    language: str = "en",
    contact: Contact | None = None,
    customer: Customer | None = None,
    order: Order | None = None,
    source: Source = Source.FORM,
) -> Thread:
    thread, _message = thread_open(
        email=email,
        incoming=CustomerMessage(text=text, source=source),
        language=language,
        contact=contact if contact is not None else default_contact(),
        customer=customer,
        order=order,
    )
    return thread


def logged_in_client(employee: Employee) -> Client:
    client = Client()
    client.force_login(employee)
    return client


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of SQLite's query plans, and the long browser checks of every page's layout and
    accessibility (``one_database``), are not collected on the other databases (deselected,
    not skipped: under CI=true a skip means a missing component)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return
    kept = [
        item
        for item in items
        if item.get_closest_marker("sqlite_only") is None
        and item.get_closest_marker("one_database") is None
    ]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


# --- fixtures: characters -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _default_contacts(request: pytest.FixtureRequest) -> None:
    """Every database test starts with the two default contacts, as a new shop does — also after
    a transactional test has flushed the tables (and with them the data migration's rows)."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db"}:
        return
    transactional = bool(marker and marker.kwargs.get("transaction")) or (
        "transactional_db" in names or "live_server" in names
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    default_contacts_ensure()


@pytest.fixture
def bob(db: None) -> Employee:
    return make_employee("Bob")


@pytest.fixture
def charlie(db: None) -> Employee:
    return make_employee("Charlie", role=Role.ADMINISTRATOR)


@pytest.fixture
def dana(db: None) -> Employee:
    return make_employee("Dana", active=False)


@pytest.fixture
def alice(db: None) -> Customer:
    return make_customer("Alice")


# --- fixtures: a real SMTP server on loopback ---------------------------------------------------


@dataclass
class SmtpSink:
    """aiosmtpd on 127.0.0.1 that keeps what it accepts; can refuse some recipients."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[Any] = field(default_factory=list)
    # recipient address → SMTP reply to give at RCPT TO (e.g. "550 5.1.1 No such user").
    refuse: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def parsed(self) -> list[Any]:
        import email
        from email import policy

        return [
            email.message_from_bytes(env.content, policy=policy.default) for env in self.messages
        ]


class SmtpServer:
    def __init__(self, sink: SmtpSink, tls_context: ssl.SSLContext | None = None) -> None:
        from aiosmtpd.controller import Controller

        sink.port = sink.port or free_port()
        self.sink = sink
        self.controller = Controller(
            sink, hostname=sink.host, port=sink.port, tls_context=tls_context
        )
        self.running = False

    def start(self) -> None:
        self.controller.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.controller.stop()
            self.running = False


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A running SMTP server; Django's SMTP backend points at it."""
    server = SmtpServer(SmtpSink())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.sink.host
    settings.EMAIL_PORT = server.sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpSink:
    return smtp_server.sink


# --- fixtures: files and the browser ------------------------------------------------------------


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language and leaves no other active behind: a view that
    activates the visitor's language (the contact form, the error pages) keeps it active in the
    test's thread after the response, and later tests would read French."""
    from django.conf import settings as django_settings
    from django.utils import translation

    with translation.override(django_settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _attachment_storage(settings: Any, tmp_path: Path) -> None:
    """Each test stores attachment files in its own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments")},
        },
    }


# --- fixtures: Redis (issue 20) ------------------------------------------------------------------

# A Redis database of its own for the tests (flushed before and after each test that uses it).
REDIS_TEST_URL = os.environ.get("COMPTOIR_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture(scope="session")
def redis_server() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping()
        available = True
    except redis.RedisError:
        available = False
    require(available, f"Redis at {REDIS_TEST_URL}")
    return REDIS_TEST_URL


@pytest.fixture
def redis_backend(redis_server: str, settings: Any) -> Iterator[Any]:
    """COMPTOIR_REDIS_URL set, as settings.py sets it: the cache, sessions, rate limits, sign-in
    throttling and presence in Redis."""
    import redis

    client = redis.Redis.from_url(redis_server, decode_responses=True)
    client.flushdb()
    settings.COMPTOIR_REDIS_URL = redis_server
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(params=["database", "redis"])
def store_backend(request: pytest.FixtureRequest) -> str:
    """The test runs twice: with the database only, and with COMPTOIR_REDIS_URL set."""
    if request.param == "redis":
        request.getfixturevalue("redis_backend")
    return str(request.param)


@dataclass
class S3Server:
    """moto's S3 server mode on loopback (issue 20): the S3 protocol over HTTP, in this process."""

    host: str
    port: int
    access_key: str = "comptoir-test"
    secret_key: str = "comptoir-test-secret"

    def url(self, bucket: str) -> str:
        return (
            f"s3://{self.access_key}:{self.secret_key}@{self.host}:{self.port}/{bucket}"
            "?region=us-east-1&tls=0"
        )

    def client(self) -> Any:
        import boto3  # type: ignore[import-untyped]

        return boto3.client(
            "s3",
            endpoint_url=f"http://{self.host}:{self.port}",
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
        )

    def keys(self, bucket: str) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, bucket: str, key: str) -> bytes:
        body: bytes = self.client().get_object(Bucket=bucket, Key=key)["Body"].read()
        return body


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        require(False, "moto's S3 server (moto[server])")
        raise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Server(host="127.0.0.1", port=port)
    finally:
        server.stop()


@dataclass
class S3Bucket:
    server: S3Server
    name: str

    def names(self) -> list[str]:
        """The bucket's object names, sorted."""
        return self.server.keys(self.name)

    def read(self, key: str) -> bytes:
        return self.server.read(self.name, key)


@pytest.fixture
def s3_storage(s3_server: S3Server, settings: Any) -> S3Bucket:
    """Every stored file of this test goes to a fresh bucket on the S3 server, configured the
    way COMPTOIR_STORAGE_URL does it."""
    from django.core.files.storage import storages

    from comptoir.lib.storageurl import parse_storage_url

    bucket = f"comptoir-{os.urandom(6).hex()}"
    s3_server.client().create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": parse_storage_url(
            s3_server.url(bucket), default_folder=Path("unused"), base_dir=Path("unused")
        ),
    }
    assert type(storages["default"]).__name__ == "S3Storage"
    return S3Bucket(server=s3_server, name=bucket)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    require(shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists(), "Chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def screenshot_dir() -> Path:
    """Where browser tests save their screenshots (kept after the run)."""
    path = Path(os.environ.get("COMPTOIR_SCREENSHOTS", "var/screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path
