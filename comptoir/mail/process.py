"""Inbound mail, second step: each stored message is parsed, matched and imported, once.

A message is processed in one transaction with its row locked, so two workers never import it
twice and a crash leaves it ``new`` for the next round. A message that fails is kept ``failed``
with its error and never blocks the others; an employee can process it again. Nothing is dropped:
what is not imported is ``ignored`` (our own mail, a duplicate, an unmatched auto-reply),
``unmatched`` (waiting for an employee), or ``discarded`` by an employee — with the reason.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from comptoir.lib.msgid import verify_message_id
from comptoir.mail.models import InboundMail, InboundStatus
from comptoir.mail.parse import MailParseError, ParsedMail, parse_mail
from comptoir.shop.models import Customer
from comptoir.staff.models import Employee
from comptoir.threads import services
from comptoir.threads.emails import message_id_key
from comptoir.threads.matching import thread_match_incoming
from comptoir.threads.models import (
    Attachment,
    Contact,
    EmailStatus,
    EventKind,
    OutboundEmail,
    Source,
    Thread,
    ThreadEvent,
)
from comptoir.threads.storage import attachment_store

log = logging.getLogger(__name__)


@dataclass
class ProcessReport:
    imported: int = 0
    unmatched: int = 0
    ignored: int = 0
    failed: int = 0


def _parse(inbound: InboundMail) -> ParsedMail:
    return parse_mail(
        bytes(inbound.raw),
        max_attachment_bytes=settings.COMPTOIR_ATTACHMENT_MAX_BYTES,
        max_total_attachment_bytes=3 * settings.COMPTOIR_ATTACHMENT_MAX_BYTES,
    )


def _finish(
    inbound: InboundMail, status: InboundStatus, decision: str, thread: Thread | None
) -> None:
    inbound.status = status
    inbound.decision = decision[:255]
    inbound.thread = thread
    inbound.error = ""
    inbound.processed_at = timezone.now()
    # What the parser read (sender, subject, Message-ID) is saved with the outcome: one write.
    inbound.save(
        update_fields=[
            "status",
            "decision",
            "thread",
            "error",
            "processed_at",
            "message_id",
            "from_address",
            "subject",
        ]
    )


def _attachments(parsed: ParsedMail) -> list[Attachment]:
    return [
        attachment_store(
            content=io.BytesIO(part.content),
            original_name=part.filename,
            content_type=part.content_type,
        )
        for part in parsed.attachments
    ]


def _incoming(parsed: ParsedMail) -> services.CustomerMessage:
    text = parsed.new_text or parsed.text or parsed.subject or "(empty message)"
    return services.CustomerMessage(
        text=text,
        source=Source.EMAIL,
        html=parsed.html,
        quoted_text=parsed.quoted_text,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
        is_auto_reply=parsed.is_auto_reply,
    )


def _contacts() -> list[Contact]:
    return list(Contact.objects.order_by("position", "id"))


def _contact_for(parsed: ParsedMail, contacts: list[Contact]) -> Contact | None:
    """The contact whose address the mail was sent to, else the first one."""
    recipients = {address.lower() for address in (*parsed.to, *parsed.cc)}
    return next((c for c in contacts if c.email.lower() in recipients), None) or next(
        iter(contacts), None
    )


def _new_thread(parsed: ParsedMail, contacts: list[Contact]) -> Thread:
    customer = (
        Customer.objects.with_email(parsed.from_address)
        .filter(is_guest=False)
        .order_by("id")
        .first()
    )
    thread, _message = services.thread_open(
        email=parsed.from_address,
        incoming=_incoming(parsed),
        language=customer.language if customer else settings.LANGUAGE_CODE,
        contact=_contact_for(parsed, contacts),
        customer=customer,
        attachments=_attachments(parsed),
    )
    return thread


def _bounce(inbound: InboundMail, parsed: ParsedMail) -> None:
    """A delivery failure report: the e-mail it is about is marked failed, on its thread."""
    email = (
        OutboundEmail.objects.filter(header_message_id=parsed.bounced_message_id).first()
        if parsed.bounced_message_id
        else None
    )
    if email is None:
        _finish(inbound, InboundStatus.IGNORED, "bounce of an e-mail we did not send", None)
        return
    reason = f"bounced: {parsed.bounced_recipient or email.to_email} — {parsed.subject}"[:2000]
    OutboundEmail.objects.filter(pk=email.pk).update(status=EmailStatus.FAILED, last_error=reason)
    if email.thread_id is not None:
        ThreadEvent.objects.create(
            thread_id=email.thread_id,
            kind=EventKind.DELIVERY_FAILED,
            data={"email": email.pk, "to": email.to_email, "error": reason[:500]},
        )
    thread = Thread.objects.filter(pk=email.thread_id).first() if email.thread_id else None
    _finish(inbound, InboundStatus.IMPORTED, "bounce: the e-mail is marked failed", thread)


def _decide(inbound: InboundMail, parsed: ParsedMail, contacts: list[Contact]) -> InboundStatus:
    ours = verify_message_id(parsed.message_id, key=message_id_key()) is not None
    if parsed.is_internal_notification or ours:
        _finish(inbound, InboundStatus.IGNORED, "our own e-mail", None)
        return InboundStatus.IGNORED
    # By digest alone, the status checked here: with "status = imported" in the query SQLite
    # took the (status, id) index, true of nearly every row, and read the whole table (raw
    # messages included) for each message processed; the digest index finds the few copies.
    copies = (
        InboundMail.objects.filter(sha256=inbound.sha256)
        .exclude(pk=inbound.pk)
        .order_by()
        .values_list("key", "status")
    )
    duplicate = next((key for key, status in copies if status == InboundStatus.IMPORTED), None)
    if duplicate is not None:
        _finish(inbound, InboundStatus.IGNORED, f"same message as {duplicate}", None)
        return InboundStatus.IGNORED
    if parsed.is_bounce:
        _bounce(inbound, parsed)
        return InboundStatus(inbound.status)
    match = thread_match_incoming(
        sender=parsed.from_address,
        references=[*parsed.references, parsed.in_reply_to],
        markers=parsed.markers,
    )
    if match.thread is not None:
        services.thread_receive(
            thread=match.thread, incoming=_incoming(parsed), attachments=_attachments(parsed)
        )
        _finish(inbound, InboundStatus.IMPORTED, match.decision, match.thread)
        return InboundStatus.IMPORTED
    if parsed.is_auto_reply:
        _finish(inbound, InboundStatus.IGNORED, f"automatic reply; {match.decision}", None)
        return InboundStatus.IGNORED
    create = inbound.mailbox.create_threads if inbound.mailbox else True
    if create and parsed.from_address:
        thread = _new_thread(parsed, contacts)
        _finish(inbound, InboundStatus.IMPORTED, f"new thread; {match.decision}", thread)
        return InboundStatus.IMPORTED
    _finish(inbound, InboundStatus.UNMATCHED, match.decision, None)
    return InboundStatus.UNMATCHED


def inbound_process(
    *, inbound_id: int, contacts: list[Contact] | None = None
) -> InboundStatus | None:
    """Process one stored message if nobody else is; returns its new status (None: skipped).

    ``contacts``: the contacts by position, when the caller processes many messages at once.
    """
    try:
        with transaction.atomic():
            rows = InboundMail.objects.filter(pk=inbound_id, status=InboundStatus.NEW)
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            inbound = rows.first()  # the mailbox loads lazily: no lock across an outer join
            if inbound is None:
                return None
            try:
                parsed = _parse(inbound)
            except MailParseError as exc:
                raise _Unparseable(str(exc)) from exc
            inbound.message_id = parsed.message_id[:255]
            inbound.from_address = parsed.from_address[:254]
            inbound.subject = parsed.subject[:255]
            return _decide(inbound, parsed, contacts if contacts is not None else _contacts())
    except Exception as exc:  # a poisonous message must not stop the others
        log.warning(
            "inbound mail %s failed: %s",
            inbound_id,
            exc,
            exc_info=not isinstance(exc, _Unparseable),
        )
        InboundMail.objects.filter(pk=inbound_id, status=InboundStatus.NEW).update(
            status=InboundStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            processed_at=timezone.now(),
        )
        InboundMail.objects.filter(pk=inbound_id).update(attempts=F("attempts") + 1)
        return InboundStatus.FAILED


class _Unparseable(Exception):
    """The message is not mail at all: kept failed, without a stack trace in the log."""


def inbound_process_pending(*, limit: int = 100) -> ProcessReport:
    report = ProcessReport()
    ids = list(
        InboundMail.objects.filter(status=InboundStatus.NEW)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    contacts = _contacts() if ids else []
    for inbound_id in ids:
        status = inbound_process(inbound_id=inbound_id, contacts=contacts)
        if status == InboundStatus.IMPORTED:
            report.imported += 1
        elif status == InboundStatus.UNMATCHED:
            report.unmatched += 1
        elif status == InboundStatus.IGNORED:
            report.ignored += 1
        elif status == InboundStatus.FAILED:
            report.failed += 1
    return report


# --- an employee's decisions on a message ---------------------------------------------------------


@transaction.atomic
def inbound_retry(*, inbound: InboundMail, employee: Employee) -> None:
    """Process a failed or unmatched message again (after a fix, or once its thread exists)."""
    InboundMail.objects.filter(
        pk=inbound.pk, status__in=[InboundStatus.FAILED, InboundStatus.UNMATCHED]
    ).update(status=InboundStatus.NEW, error="")


@transaction.atomic
def inbound_attach(*, inbound: InboundMail, thread: Thread, employee: Employee) -> None:
    """An employee files an unmatched message into a thread they chose."""
    inbound = InboundMail.objects.select_for_update().get(pk=inbound.pk)
    parsed = _parse(inbound)
    services.thread_receive(
        thread=thread, incoming=_incoming(parsed), attachments=_attachments(parsed)
    )
    _finish(
        inbound,
        InboundStatus.IMPORTED,
        f"attached to thread {thread.pk} by {employee.email}",
        thread,
    )


@transaction.atomic
def inbound_make_thread(*, inbound: InboundMail, employee: Employee) -> Thread:
    inbound = InboundMail.objects.select_for_update().get(pk=inbound.pk)
    parsed = _parse(inbound)
    thread = _new_thread(parsed, _contacts())
    _finish(inbound, InboundStatus.IMPORTED, f"new thread made by {employee.email}", thread)
    return thread


@transaction.atomic
def inbound_discard(*, inbound: InboundMail, employee: Employee) -> None:
    """Set aside for good; the raw message and who discarded it stay."""
    inbound = InboundMail.objects.select_for_update().get(pk=inbound.pk)
    _finish(inbound, InboundStatus.DISCARDED, f"discarded by {employee.email}", None)
