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
from django.db.models import F, Q
from django.utils import timezone

from comptoir.lib.language import language_detect
from comptoir.lib.msgid import message_id_stored, verify_message_id
from comptoir.lib.rows import rows_update
from comptoir.mail.models import (
    InboundMail,
    InboundStatus,
    Mailbox,
    raw_by_inbound,
    raw_file_read,
)
from comptoir.mail.parse import MailParseError, ParsedMail, parse_mail
from comptoir.shop.models import Customer
from comptoir.staff.models import Employee
from comptoir.threads import arrivals
from comptoir.threads.cc import cc_join
from comptoir.threads.deliveries import outbound_email_failed
from comptoir.threads.emails import message_id_key
from comptoir.threads.matching import (
    Match,
    Signals,
    ThreadLookup,
    customer_mail_threads,
    thread_match,
)
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import Attachment, Contact, OutboundEmail, Source, Thread
from comptoir.threads.storage import attachment_file_store

log = logging.getLogger(__name__)


@dataclass
class ProcessReport:
    imported: int = 0
    unmatched: int = 0
    ignored: int = 0
    failed: int = 0


def _parse(raw: bytes) -> ParsedMail:
    return parse_mail(
        raw,
        max_attachment_bytes=settings.COMPTOIR_ATTACHMENT_MAX_BYTES,
        max_total_attachment_bytes=3 * settings.COMPTOIR_ATTACHMENT_MAX_BYTES,
    )


# What an outcome writes, with what the parser read (sender, subject, Message-ID): one write.
_FINISH_FIELDS = [
    "status",
    "decision",
    "thread",
    "error",
    "processed_at",
    "message_id",
    "from_address",
    "subject",
]


def _outcome(
    inbound: InboundMail, status: InboundStatus, decision: str, thread: Thread | None
) -> None:
    inbound.status = status
    inbound.decision = decision[:255]
    inbound.thread = thread
    inbound.error = ""
    inbound.processed_at = timezone.now()


def _finish(
    inbound: InboundMail, status: InboundStatus, decision: str, thread: Thread | None
) -> None:
    _outcome(inbound, status, decision, thread)
    inbound.save(update_fields=_FINISH_FIELDS)


def _attachments(parsed: ParsedMail) -> list[Attachment]:
    return [
        attachment_file_store(
            content=io.BytesIO(part.content),
            original_name=part.filename,
            content_type=part.content_type,
        )
        for part in parsed.attachments
    ]


def _incoming(parsed: ParsedMail) -> CustomerMessage:
    text = parsed.new_text or parsed.text or parsed.subject or "(empty message)"
    return CustomerMessage(
        text=text,
        source=Source.EMAIL,
        html=parsed.html,
        quoted_text=parsed.quoted_text,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
        is_auto_reply=parsed.is_auto_reply,
        cc=cc_join(parsed.cc),
    )


def _contacts() -> list[Contact]:
    return list(Contact.objects.order_by("position", "id"))


def _contact_for(
    parsed: ParsedMail, contacts: list[Contact], routed: int | None = None
) -> Contact | None:
    """The contact the mailbox it came in at is routed to (``routed``), else the contact whose
    address the mail was sent to, else the first one."""
    if routed is not None:
        found = next((c for c in contacts if c.pk == routed), None)
        if found is not None:
            return found
    recipients = {*parsed.to, *parsed.cc}  # parsed and stored addresses: one form each
    return next((c for c in contacts if c.email in recipients), None) or next(iter(contacts), None)


def _customers(addresses: list[str]) -> dict[str, Customer]:
    """The registered customer of each address (the oldest one when several share it)."""
    found: dict[str, Customer] = {}
    if addresses:
        for customer in (
            Customer.objects.with_emails(addresses).filter(is_guest=False).order_by("id")
        ):
            found.setdefault(customer.email, customer)
    return found


def _arrival(
    parsed: ParsedMail,
    thread: Thread | None,
    contacts: list[Contact],
    customers: dict[str, Customer],
    routed: int | None = None,
) -> arrivals.Arrival:
    """The message for ``thread``, or the first of a new thread (for its sender's customer)."""
    new = None
    if thread is None:
        customer = customers.get(parsed.from_address)
        # The language the customer wrote in; unsure, the customer's own, else the shop's.
        known = customer.language if customer else settings.LANGUAGE_CODE
        among = [code for code, _name in settings.LANGUAGES]
        written = f"{parsed.subject_stripped}\n{parsed.new_text or parsed.text}"
        new = arrivals.NewThread(
            email=parsed.from_address,
            language=language_detect(written, among=among, default=known),
            contact=_contact_for(parsed, contacts, routed),
            customer=customer,
        )
    return arrivals.Arrival(
        _incoming(parsed), thread=thread, new=new, attachments=_attachments(parsed)
    )


def _new_thread(parsed: ParsedMail, contacts: list[Contact]) -> Thread:
    customers = _customers([parsed.from_address])
    (arrived,) = arrivals.threads_receive([_arrival(parsed, None, contacts, customers)])
    return arrived.thread


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
    reason = f"bounced: {parsed.bounced_recipient or email.to_email} — {parsed.subject}"
    outbound_email_failed(email=email, reason=reason)
    thread = Thread.objects.filter(pk=email.thread_id).first() if email.thread_id else None
    _finish(inbound, InboundStatus.IMPORTED, "bounce: the e-mail is marked failed", thread)


def _copies(inbounds: list[InboundMail]) -> tuple[dict[int, str], dict[str, str]]:
    """Two things read in one query, before any parsing:

    - the key of an earlier stored copy (same Message-ID, sender and content:
      ``mail/copies.py``) of each of these messages, whatever became of it — a copy then costs
      no parse;
    - the key of an imported copy (another row, same bytes) of each digest.
    """
    # By digest and copy key alone, the status checked here: their indexes find the few copies,
    # where a condition on the status leads the planner to the status index (docs/DECISIONS.md).
    same = Q(sha256__in={inbound.sha256 for inbound in inbounds})
    keys = {inbound.copy_key for inbound in inbounds if inbound.copy_key}
    if keys:
        same |= Q(copy_key__in=keys)
    rows = InboundMail.objects.filter(same).order_by("id")
    ids = {inbound.pk for inbound in inbounds}
    by_copy_key: dict[str, list[tuple[int, str]]] = {}
    imported: dict[str, str] = {}
    for digest, copy_key, pk, key, status in rows.values_list(
        "sha256", "copy_key", "pk", "key", "status"
    ):
        if copy_key:
            by_copy_key.setdefault(copy_key, []).append((pk, key))
        if status == InboundStatus.IMPORTED and pk not in ids:
            imported.setdefault(digest, key)
    earlier = {}
    for inbound in inbounds:
        first = [key for pk, key in by_copy_key.get(inbound.copy_key, []) if pk < inbound.pk]
        if inbound.copy_key and first:
            earlier[inbound.pk] = first[0]
    return earlier, imported


@dataclass
class _Decided:
    inbound: InboundMail
    status: InboundStatus
    decision: str
    # Imported: the thread the message goes into (None until a new one is written).
    thread: Thread | None = None
    # Imported: the message to write.
    mail: ParsedMail | None = None
    # The outcome is saved already (a bounce writes its own).
    saved: bool = False


def _decide(
    inbound: InboundMail,
    mail: ParsedMail,
    *,
    ours: bool,
    copy: str | None,
    match: Match,
    create: bool,
) -> _Decided:
    """What becomes of one message (bounces aside), from what the batch read."""
    if ours:
        return _Decided(inbound, InboundStatus.IGNORED, "our own e-mail")
    if copy is not None:
        return _Decided(inbound, InboundStatus.IGNORED, f"same message as {copy}")
    if mail.is_delay:  # only delayed: our e-mail is not failed, and no customer wrote
        to = f" to {mail.bounced_recipient}" if mail.bounced_recipient else ""
        return _Decided(inbound, InboundStatus.IGNORED, f"delivery delayed{to}, not failed")
    if match.thread is not None:
        return _Decided(inbound, InboundStatus.IMPORTED, match.decision, match.thread, mail)
    if mail.is_auto_reply:
        return _Decided(inbound, InboundStatus.IGNORED, f"automatic reply; {match.decision}")
    if create and mail.from_address:
        return _Decided(
            inbound, InboundStatus.IMPORTED, f"new thread; {match.decision}", None, mail
        )
    return _Decided(inbound, InboundStatus.UNMATCHED, match.decision)


def _parsed(inbounds: list[InboundMail]) -> list[tuple[InboundMail, ParsedMail]]:
    """Each message parsed; one that is not mail at all is failed at once."""
    raws = raw_by_inbound([inbound.pk for inbound in inbounds])
    parsed = []
    for inbound in inbounds:
        try:
            raw = raw_file_read(inbound.raw_file) if inbound.raw_file else raws.get(inbound.pk, b"")
            mail = _parse(raw)
            del raw
        except MailParseError as exc:
            _fail(inbound.pk, exc, trace=False)
            continue
        parsed.append((inbound, mail))
    return parsed


def _batch(ids: list[int], contacts: list[Contact]) -> dict[int, InboundStatus]:
    """Process these stored messages in one transaction; returns the status of each one taken
    (a row another worker holds, or no longer new, is left out).

    The same decisions as for one message, with the reads and writes made once for all: the
    rows in one query and their bytes in another, the copies in one, the threads they name in
    three, their customers in one, the arrivals through ``threads_receive`` and the outcomes in
    one ``executemany``. The copies are found and the messages parsed before the transaction
    (issue 16): on SQLite a write transaction holds the whole database, and a costly message's
    seconds of parsing must not hold up the other lanes; the rows are then read again, locked,
    and only those still new are decided.
    """
    fresh = list(InboundMail.objects.filter(pk__in=ids, status=InboundStatus.NEW).order_by("id"))
    earlier, copies = _copies(fresh) if fresh else ({}, {})
    read = _parsed([inbound for inbound in fresh if inbound.pk not in earlier])
    mails = {inbound.pk: mail for inbound, mail in read}
    not_mail = {inbound.pk for inbound in fresh} - set(earlier) - set(mails)
    with transaction.atomic():
        rows = InboundMail.objects.filter(
            pk__in=[inbound.pk for inbound in fresh], status=InboundStatus.NEW
        ).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        inbounds = list(rows)  # the mailbox loads lazily: no lock across an outer join
        decided: list[_Decided] = [
            _Decided(inbound, InboundStatus.IGNORED, f"copy of {earlier[inbound.pk]}")
            for inbound in inbounds
            if inbound.pk in earlier
        ]
        parsed = []
        for inbound in inbounds:
            mail = mails.get(inbound.pk)
            if mail is not None:
                inbound.message_id = message_id_stored(mail.message_id)
                inbound.from_address = mail.from_address[:254]
                inbound.subject = mail.subject[:255]
                parsed.append((inbound, mail))
        key = message_id_key()
        customer_mails = customer_mail_threads(
            ref for _inbound, mail in parsed for ref in (*mail.references, mail.in_reply_to)
        )
        signals = {
            inbound.pk: Signals.read(
                [*mail.references, mail.in_reply_to], mail.markers, customer_mails
            )
            for inbound, mail in parsed
        }
        lookup = ThreadLookup(tid for found in signals.values() for tid in found.thread_ids())
        mailboxes = Mailbox.objects.in_bulk(
            {inbound.mailbox_id for inbound, _mail in parsed if inbound.mailbox_id}
        )
        for inbound, mail in parsed:
            ours = mail.is_internal_notification or (
                verify_message_id(mail.message_id, key=key) is not None
            )
            copy = copies.get(inbound.sha256)
            if mail.is_bounce and not ours and copy is None:
                _bounce(inbound, mail)  # rare: it writes its own outcome
                status = InboundStatus(inbound.status)
                decided.append(_Decided(inbound, status, inbound.decision, saved=True))
            else:
                mailbox = mailboxes.get(inbound.mailbox_id) if inbound.mailbox_id else None
                match = thread_match(
                    sender=mail.from_address, signals=signals[inbound.pk], lookup=lookup
                )
                create = mailbox.create_threads if mailbox else True
                decided.append(
                    _decide(inbound, mail, ours=ours, copy=copy, match=match, create=create)
                )
            if decided[-1].status == InboundStatus.IMPORTED:
                copies[inbound.sha256] = inbound.key  # a later copy in this batch is a duplicate
        imports = [(d, d.mail) for d in decided if d.mail is not None]
        customers = _customers([mail.from_address for d, mail in imports if d.thread is None])
        routes = {pk: box.contact_id for pk, box in mailboxes.items()}
        batch = [
            _arrival(mail, d.thread, contacts, customers, routes.get(d.inbound.mailbox_id or 0))
            for d, mail in imports
        ]
        arrived = arrivals.threads_receive(batch) if batch else []
        for (d, _mail), result in zip(imports, arrived, strict=True):
            d.thread = result.thread
        outcomes = [d for d in decided if not d.saved]
        for d in outcomes:
            _outcome(d.inbound, d.status, d.decision, d.thread)
        rows_update([d.inbound for d in outcomes], _FINISH_FIELDS)
        # A row that was not mail is failed already (``_parsed``).
        failed = dict.fromkeys(not_mail, InboundStatus.FAILED)
        return {**failed, **{d.inbound.pk: d.status for d in decided}}


def _fail(inbound_id: int, exc: Exception, *, trace: bool = True) -> InboundStatus:
    """A message whose processing raised: kept failed with the error, for an employee to see
    (``trace``: log the stack too; not for a message that is simply not mail)."""
    log.warning("inbound mail %s failed: %s", inbound_id, exc, exc_info=trace)
    InboundMail.objects.filter(pk=inbound_id, status=InboundStatus.NEW).update(
        status=InboundStatus.FAILED,
        error=f"{type(exc).__name__}: {exc}"[:2000],
        processed_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    return InboundStatus.FAILED


def inbound_process(
    *, inbound_id: int, contacts: list[Contact] | None = None
) -> InboundStatus | None:
    """Process one stored message if nobody else is; returns its new status (None: skipped).

    ``contacts``: the contacts by position, when the caller processes many messages at once.
    """
    try:
        return _batch([inbound_id], contacts if contacts is not None else _contacts()).get(
            inbound_id
        )
    except Exception as exc:  # a poisonous message must not stop the others
        return _fail(inbound_id, exc)


# A batch is one transaction: small enough that a desk employee's reply waits little for its
# locks, and that the raw messages it holds stay well under the worker's memory budget (one
# larger message goes alone); large enough to share the per-batch work (docs/DECISIONS.md).
BATCH_MESSAGES = 100
BATCH_BYTES = 4 * 1024 * 1024


def _batches(rows: list[tuple[int, int]]) -> list[list[int]]:
    batches: list[list[int]] = []
    current: list[int] = []
    size = 0
    for pk, length in rows:
        if current and (len(current) >= BATCH_MESSAGES or size + length > BATCH_BYTES):
            batches.append(current)
            current, size = [], 0
        current.append(pk)
        size += length
    if current:
        batches.append(current)
    return batches


def inbound_process_pending(
    *, limit: int = 100, up_to: int | None = None, larger_than: int | None = None
) -> ProcessReport:
    """The worker's step: the oldest new messages (``up_to`` / ``larger_than`` bytes: only
    those), in batches. A batch that raises is rolled back and its messages processed one by
    one, so that one poisonous message fails alone."""
    report = ProcessReport()
    pending = InboundMail.objects.filter(status=InboundStatus.NEW)
    if up_to is not None:
        pending = pending.filter(size__lte=up_to)
    if larger_than is not None:
        pending = pending.filter(size__gt=larger_than)
    rows = list(pending.order_by("id").values_list("pk", "size")[:limit])
    contacts = _contacts() if rows else []
    for batch in _batches(rows):
        try:
            statuses = list(_batch(batch, contacts).values())
        except Exception:
            log.warning("a batch of %d inbound mails failed: one by one", len(batch), exc_info=True)
            one_by_one = (inbound_process(inbound_id=pk, contacts=contacts) for pk in batch)
            statuses = [status for status in one_by_one if status is not None]
        for status in statuses:
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
    parsed = _parse(inbound.raw)
    arrivals.thread_receive(
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
    parsed = _parse(inbound.raw)
    thread = _new_thread(parsed, _contacts())
    _finish(inbound, InboundStatus.IMPORTED, f"new thread made by {employee.email}", thread)
    return thread


@transaction.atomic
def inbound_discard(*, inbound: InboundMail, employee: Employee) -> None:
    """Set aside for good; the raw message and who discarded it stay."""
    inbound = InboundMail.objects.select_for_update().get(pk=inbound.pk)
    _finish(inbound, InboundStatus.DISCARDED, f"discarded by {employee.email}", None)
