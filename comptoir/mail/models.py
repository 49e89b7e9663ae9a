from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.lib.addresses import AddressField

# A running worker beats every HEARTBEAT_SECONDS from a thread of its own (``ops.worker``), beside
# its lanes: however long a step takes, the beat goes on. A worker silent for OWNER_SILENT_SECONDS
# is taken for dead (SIGKILL, a machine that lost power): the mailbox lease and the outbox and
# webhook rows it holds are taken over at once instead of at the end of their lease (issue 20).
HEARTBEAT_SECONDS = 1.0
OWNER_SILENT_SECONDS = 8
# A worker silent this long is forgotten (``WorkerHeartbeat.tidy``).
FORGOTTEN_AFTER = timedelta(days=1)


class DatabaseNow(Now):
    """The database's clock, in UTC on every engine (MariaDB's CURRENT_TIMESTAMP is in the
    server's time zone; the datetimes Django stores there are UTC)."""

    def as_mysql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="UTC_TIMESTAMP(6)", **extra)


class WorkerHeartbeat(models.Model):
    """One row per running worker, touched every HEARTBEAT_SECONDS; /healthz reports the
    freshest. Written and compared with the database's clock, so that workers on machines whose
    clocks differ by a few seconds still judge each other's silence the same way."""

    name = models.CharField(max_length=128, unique=True)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, name: str) -> None:
        """Record that the worker ``name`` is alive, now (the database's now)."""
        if not cls.objects.filter(name=name[:128]).update(beat_at=DatabaseNow()):
            cls.objects.get_or_create(name=name[:128])

    @classmethod
    def tidy(cls) -> int:
        """Forget the workers not heard for a day (killed, or their machine gone): a worker
        stopped with SIGKILL cannot remove its own row, and every crash left one for good. A day
        is far past any lease (10 minutes), so nothing they held still waits on them. Returns
        how many rows went."""
        forgotten = DatabaseNow() - FORGOTTEN_AFTER
        deleted, _ = cls.objects.filter(beat_at__lt=forgotten).delete()
        return deleted

    @classmethod
    def silent_names(cls) -> models.QuerySet[WorkerHeartbeat, dict[str, Any]]:
        """The names of the workers not heard for OWNER_SILENT_SECONDS (a subquery: ``name__in``).
        A holder with no heartbeat row (a one-off command, a test) is never in it: what it holds
        is kept to the end of its lease."""
        quiet_since = DatabaseNow() - timedelta(seconds=OWNER_SILENT_SECONDS)
        return cls.objects.filter(beat_at__lt=quiet_since).values("name")


class SmtpSecurity(models.TextChoices):
    STARTTLS = "starttls", _("STARTTLS (port 587)")
    SSL = "ssl", _("TLS from the first byte (port 465)")
    NONE = "none", _("None: unencrypted (never over the internet)")


class AuthMethod(models.TextChoices):
    PASSWORD = "password", _("Password")
    OAUTH2 = "oauth2", _("OAuth2 (Google, Microsoft, other)")


class OAuthProvider(models.TextChoices):
    GOOGLE = "google", _("Google")
    MICROSOFT = "microsoft", _("Microsoft")
    GENERIC = "generic", _("Other OAuth2 provider")


class Mailbox(models.Model):
    """The shop's mailbox comptoir fetches customers' replies from (REFERENCE A11, B6, B10).

    The flags keep PrestaShop's names with their real meaning: ``use_ssl`` is implicit TLS
    (IMAPS/POP3S), ``use_tls`` requires STARTTLS, ``no_tls`` never upgrades, by default STARTTLS is
    used and a server that does not offer it gets no password (only ``no_tls`` sends it
    unencrypted); the certificate is verified unless ``novalidate_cert``.
    """

    name = models.CharField(max_length=100, default="Shop mailbox")
    enabled = models.BooleanField(default=True)
    host = models.CharField("IMAP URL", max_length=255, blank=True)
    port = models.PositiveIntegerField("IMAP port", null=True, blank=True)
    username = models.CharField("IMAP user", max_length=255, blank=True)
    # Fernet-sealed (lib.secretbox); never shown back, only replaced.
    password_sealed = models.TextField(blank=True)
    folder = models.CharField(max_length=255, default="INBOX")
    delete_messages = models.BooleanField("Delete messages", default=False)
    create_threads = models.BooleanField("Create new threads", default=True)
    use_pop3 = models.BooleanField("/pop3", default=False)
    norsh = models.BooleanField("/norsh", default=False)
    use_ssl = models.BooleanField("/ssl", default=False)
    validate_cert = models.BooleanField("/validate-cert", default=True)
    novalidate_cert = models.BooleanField("/novalidate-cert", default=False)
    use_tls = models.BooleanField("/tls", default=False)
    no_tls = models.BooleanField("/notls", default=False)
    ca_file = models.CharField(max_length=500, blank=True)
    # The address customers write to: replies sent from it go through this mailbox's SMTP server.
    email_address = AddressField(blank=True)
    # Mail fetched here opens threads of this contact (None: the contact it was addressed to).
    contact = models.ForeignKey(
        "threads.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mailboxes",
    )
    # Sending: this mailbox's own SMTP server (empty host: COMPTOIR_EMAIL_URL).
    smtp_host = models.CharField(max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(null=True, blank=True)
    smtp_security = models.CharField(
        max_length=10, choices=SmtpSecurity.choices, default=SmtpSecurity.STARTTLS
    )
    smtp_username = models.CharField(max_length=255, blank=True)
    smtp_password_sealed = models.TextField(blank=True)
    # OAuth2 instead of the passwords (Google Workspace, Microsoft 365, another provider).
    auth_method = models.CharField(
        max_length=10, choices=AuthMethod.choices, default=AuthMethod.PASSWORD
    )
    oauth_provider = models.CharField(
        max_length=10, choices=OAuthProvider.choices, default=OAuthProvider.GOOGLE
    )
    oauth_client_id = models.CharField(max_length=255, blank=True)
    oauth_client_secret_sealed = models.TextField(blank=True)
    oauth_authorize_url = models.URLField(max_length=500, blank=True)
    oauth_token_url = models.URLField(max_length=500, blank=True)
    oauth_scopes = models.CharField(max_length=500, blank=True)
    # Sealed like the password, never shown; the access token is short-lived and refreshed.
    oauth_refresh_token_sealed = models.TextField(blank=True)
    oauth_access_token_sealed = models.TextField(blank=True)
    oauth_expires_at = models.DateTimeField(null=True, blank=True)
    # Set when the grant was revoked or expired: the mailbox waits for "Reconnect".
    oauth_error = models.TextField(blank=True)
    # Sync state, written by the worker.
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    sync_requested_at = models.DateTimeField(null=True, blank=True)
    next_sync_at = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=128, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_sync_ok = models.BooleanField(null=True)
    last_sync_counts = models.JSONField(default=dict, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.username}@{self.host}"

    @property
    def is_configured(self) -> bool:
        if self.auth_method == AuthMethod.OAUTH2:
            return bool(self.host and self.username and self.oauth_refresh_token_sealed)
        return bool(self.host and self.username and self.password_sealed)

    @property
    def has_smtp(self) -> bool:
        return bool(self.smtp_host)


class InboundStatus(models.TextChoices):
    NEW = "new", "New"
    IMPORTED = "imported", "Imported"
    UNMATCHED = "unmatched", "Unmatched"
    FAILED = "failed", "Failed"
    IGNORED = "ignored", "Ignored"
    DISCARDED = "discarded", "Discarded"


class InboundMail(models.Model):
    """A fetched message, stored raw before anything else is done with it.

    ``key`` names it on its server (``imap:<mailbox>:<uidvalidity>:<uid>`` or
    ``pop3:<mailbox>:<uidl>``): fetching it again is a no-op. ``server_done`` records that it was
    flagged or deleted on the server, which happens only after it is committed here.
    The bytes are in a row of their own (``InboundRaw``, ``raw`` here).
    """

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="mails"
    )
    key = models.CharField(max_length=255, unique=True)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    from_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=10, choices=InboundStatus.choices, default=InboundStatus.NEW
    )
    decision = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # SET_NULL: deleting a thread keeps the raw mail, so a later fetch still knows it.
    thread = models.ForeignKey(
        "threads.Thread", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    server_done = models.BooleanField(default=False)
    # Issue 16. What makes two deliveries one message: Message-ID, sender and a digest of the
    # content (``mail/copies.py``), read before any parsing; empty without a Message-ID.
    copy_key = models.CharField(max_length=64, blank=True, db_index=True)
    # A large message's bytes, in the attachment storage (the ``InboundRaw`` row is then empty).
    raw_file = models.CharField(max_length=255, blank=True)
    # Over the size cap: not fetched, never deleted from the server (``error`` says why).
    kept_on_server = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "id"], name="inbound_status"),
            models.Index(fields=["mailbox", "server_done"], name="inbound_server_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"

    @property
    def raw(self) -> bytes:
        """The message's bytes (a query the first time; many rows: ``raw_by_inbound``)."""
        if self.raw_file:
            return raw_file_read(self.raw_file)
        return bytes(self.content.raw)


class InboundRaw(models.Model):
    """The bytes of a stored message, apart from its row.

    An inbound mail's row is written again as it goes along (processed, its decision, flagged
    on the server, retried), and SQLite rewrites a whole record when a row changes size: with
    the bytes in it, every one of those writes copied the message again (a fifth of what a
    batch of imports wrote). Here they are written once.
    """

    inbound = models.OneToOneField(
        InboundMail, on_delete=models.CASCADE, primary_key=True, related_name="content"
    )
    raw = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.inbound_id}: {len(self.raw)} bytes"


def raw_file_read(name: str) -> bytes:
    """A large message's bytes, from the attachment storage."""
    with default_storage.open(name, "rb") as handle:
        data: bytes = handle.read()
    return data


def raw_by_inbound(ids: list[int]) -> dict[int, bytes]:
    """The bytes of these stored messages, in one query (a large message's row is empty: its
    bytes are in ``raw_file``)."""
    rows = InboundRaw.objects.filter(inbound_id__in=ids).values_list("inbound_id", "raw")
    return {pk: bytes(raw) for pk, raw in rows}
