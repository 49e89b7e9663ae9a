"""Delivering the outbox: claim due rows, send each through the configured backend, record.

Claiming (``lib.queue``) moves rows from ``queued`` to ``sending`` with a lease and the claiming
worker's name; a worker that dies mid-send leaves its rows ``sending`` until its heartbeat has
been silent for ``OWNER_SILENT_SECONDS`` (or, for a claimer without a heartbeat, until the lease
ends), then they are claimed again. Transient
failures (server down, 4xx) are retried with back-off; a permanent refusal (5xx) or the last
attempt marks the row ``failed`` with the reason.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from comptoir.lib.addresses import email_normalize
from comptoir.lib.deadline import DeadlineExceeded, socket_deadline
from comptoir.lib.queue import LEASE, held_by_silent, retry_delay, rows_claim
from comptoir.mail.connection import FetchError
from comptoir.mail.models import Mailbox, WorkerHeartbeat
from comptoir.mail.smtp import mailbox_smtp_backend, smtp_routes, smtp_where
from comptoir.threads.deliveries import ERROR_LENGTH, outbound_email_failed
from comptoir.threads.models import EmailKind, EmailStatus, OutboundEmail
from comptoir.threads.storage import attachment_open

log = logging.getLogger(__name__)


# One e-mail never takes longer than this to hand over, however slowly the server answers.
SEND_DEADLINE_SECONDS = 120.0


class PermanentFailure(Exception):
    pass


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def outbox_claim(*, limit: int = 20, worker_name: str = "") -> list[OutboundEmail]:
    """The due e-mails: queued ones whose time has come, and those left ``sending`` by a worker
    that died (its lease over, or its heartbeat silent: ``lib.queue``)."""
    now = timezone.now()
    abandoned = Q(lease_expires_at__lt=now) | held_by_silent(WorkerHeartbeat.silent_names())
    due = OutboundEmail.objects.filter(
        Q(status=EmailStatus.QUEUED, next_attempt_at__lte=now)
        | (Q(status=EmailStatus.SENDING) & abandoned)
    ).order_by("next_attempt_at", "id")
    mark = {"status": EmailStatus.SENDING, "lease_expires_at": now + LEASE}
    return rows_claim(due, limit=limit, mark=mark, claimer=worker_name)


def build_message(email: OutboundEmail, backend: BaseEmailBackend) -> EmailMultiAlternatives:
    from email.utils import formataddr

    headers = {"Message-ID": email.header_message_id, "Auto-Submitted": "auto-generated"}
    if email.kind == EmailKind.REPLY:
        # A person's answer, not an automatic message: let mail clients and autoresponders treat
        # it as such.
        headers.pop("Auto-Submitted")
    if email.in_reply_to:
        headers["In-Reply-To"] = email.in_reply_to
    if email.references:
        headers["References"] = email.references
    if email.is_internal:
        headers["X-Comptoir-Internal"] = "notification"
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=formataddr((email.from_name, email.from_email)),
        to=[formataddr((email.to_name, email.to_email))],
        cc=[address.strip() for address in email.cc.split(",") if address.strip()],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers=headers,
        connection=backend,
    )
    for attachment in email.attachments.all():
        with attachment_open(attachment) as handle:
            message.attach(attachment.original_name, handle.read(), attachment.content_type)
    return message


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500 and not isinstance(exc, smtplib.SMTPAuthenticationError)
    return isinstance(exc, PermanentFailure | ValueError)


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{rcpt}: {code} {msg.decode(errors='replace')}"
            for rcpt, (code, msg) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}"


def _record(email: OutboundEmail, exc: Exception | None, sent_via: str = "") -> str:
    """Save how the attempt went: sent, queued again for later, or failed for good (through
    ``outbound_email_failed``, which also records it on the thread)."""
    now = timezone.now()
    email.lease_expires_at = None  # the attempt was counted when the row was claimed
    attempt = ["attempts", "lease_expires_at"]
    if exc is None:
        email.status, email.sent_at, email.last_error = EmailStatus.SENT, now, ""
        email.sent_via = sent_via[:255]
        email.save(update_fields=[*attempt, "status", "sent_at", "last_error", "sent_via"])
        return "sent"
    reason = _describe(exc)
    if _is_permanent(exc) or email.attempts >= settings.COMPTOIR_OUTBOX_MAX_ATTEMPTS:
        with transaction.atomic():
            email.save(update_fields=attempt)
            outbound_email_failed(email=email, reason=reason)
        return "failed"
    email.status, email.last_error = EmailStatus.QUEUED, reason[:ERROR_LENGTH]
    email.next_attempt_at = now + retry_delay(email.attempts)
    email.save(update_fields=[*attempt, "status", "last_error", "next_attempt_at"])
    return "retried"


@dataclass
class _Route:
    """Where a group of e-mails leaves: one backend, opened at the first e-mail."""

    backend: BaseEmailBackend
    via: str = ""
    connected: bool = False


def _route(email: OutboundEmail, routes: dict[str, Mailbox], opened: dict[int, _Route]) -> _Route:
    """The mailbox's own SMTP server when one sends for the From address, else the default."""
    mailbox = routes.get(email_normalize(email.from_email))
    key = mailbox.pk if mailbox is not None else 0
    if key not in opened:
        if mailbox is None:
            opened[key] = _Route(get_connection(fail_silently=False))
        else:
            opened[key] = _Route(mailbox_smtp_backend(mailbox), smtp_where(mailbox))
    return opened[key]


def outbox_deliver(*, limit: int = 20, worker_name: str = "") -> DeliveryReport:
    """Send what is due now. Safe to run in several workers at once (``worker_name``: the
    heartbeat name of the worker calling; "" for a one-off caller)."""
    report = DeliveryReport()
    rows = outbox_claim(limit=limit, worker_name=worker_name)
    if not rows:
        return report
    routes = smtp_routes(email.from_email for email in rows)
    opened: dict[int, _Route] = {}
    for email in rows:
        route: _Route | None = None
        try:
            route = _route(email, routes, opened)
            backend = route.backend
            with socket_deadline(SEND_DEADLINE_SECONDS, partial(_socket, backend)) as expired:
                try:
                    if not route.connected:
                        backend.open()
                        route.connected = True
                    build_message(email, backend).send()
                except (OSError, smtplib.SMTPException) as exc:
                    if expired.is_set():
                        raise DeadlineExceeded(
                            f"not sent within {SEND_DEADLINE_SECONDS:g} s"
                        ) from exc
                    raise
        except (OSError, smtplib.SMTPException, ssl.SSLError, ValueError, FetchError) as exc:
            log.warning("e-mail %s to %s not sent: %s", email.pk, email.to_email, _describe(exc))
            outcome = _record(email, exc)
            # Start the next e-mail on a fresh connection: this one may be in any state.
            if route is not None:
                _close(route.backend)
                route.connected = False
        else:
            outcome = _record(email, None, route.via)
        setattr(report, outcome, getattr(report, outcome) + 1)
    for route in opened.values():
        _close(route.backend)
    return report


def _socket(backend: BaseEmailBackend) -> socket.socket | None:
    """The SMTP backend's socket, if it has one (the file and memory backends have none)."""
    sock = getattr(getattr(backend, "connection", None), "sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _close(backend: BaseEmailBackend) -> None:
    try:
        backend.close()
    except (OSError, smtplib.SMTPException):
        log.debug("closing the mail connection failed", exc_info=True)
