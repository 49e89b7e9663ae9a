"""A person's data rights: what comptoir holds about them (``person_holdings``), a copy of it
(``customer_export_build``), its erasure (``customer_erase``), and how long things are kept
(``retention_preview``, ``retention_apply``).

A person is one customer (their threads, orders, mail) or an address a guest wrote from; both
name the same rows: threads of the customer or from the address, the e-mails sent about them,
the mail received from the address. A second customer with a similar address, or an order
reference shared by chance, names none of them: rows are chosen by ids and exact addresses only.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from comptoir.api.models import DeliveryStatus, WebhookDelivery
from comptoir.lib.addresses import email_normalize
from comptoir.mail.models import InboundMail, InboundRaw, InboundStatus, raw_by_inbound
from comptoir.privacy.models import (
    ErasureRecord,
    ExportRequest,
    ExportStatus,
    RetentionPolicy,
    Via,
)
from comptoir.shop.models import Customer, Order, OrderHistory
from comptoir.staff.models import Employee
from comptoir.threads.contact_messages import duplicate_fingerprint
from comptoir.threads.models import (
    Attachment,
    Author,
    EmailStatus,
    Message,
    OutboundEmail,
    OutboundEvent,
    Source,
    Status,
    Thread,
)
from comptoir.threads.rates import rate_counters_forget, rate_counters_held, rate_key
from comptoir.threads.search_index import search_index_purge
from comptoir.threads.services import threads_delete
from comptoir.threads.storage import attachment_files_delete, attachment_open

# An export of more messages, or more bytes of files, is built by the worker.
EXPORT_INLINE_MESSAGES = 200
EXPORT_INLINE_BYTES = 20 * 1024 * 1024
EXPORT_FOLDER = "exports"
# Rows per transaction when erasing and applying retention: no long lock.
BATCH = 50
_CHUNK = 500


# --- who -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """The customers and addresses whose data is looked at together."""

    customer_ids: tuple[int, ...]
    addresses: tuple[str, ...]
    language: str

    @classmethod
    def of_customer(cls, customer: Customer) -> Person:
        return cls((customer.pk,), (customer.email,), customer.language)

    @classmethod
    def of_address(cls, address: str) -> Person:
        """An address (a guest): every customer row with it, and every thread written from it."""
        address = email_normalize(address)
        customers = list(Customer.objects.with_email(address).order_by("id"))
        language = customers[0].language if customers else settings.LANGUAGE_CODE
        return cls(tuple(c.pk for c in customers), (address,), language)

    def reference(self) -> str:
        """The audit's name for the person: an HMAC of the address, not reversible without the
        site's secret, and not the address."""
        key = settings.SECRET_KEY.encode()
        text = ",".join(sorted(self.addresses)).encode()
        return hmac.new(key, text, hashlib.sha256).hexdigest()


def person_threads(person: Person) -> QuerySet[Thread]:
    return Thread.objects.filter(
        Q(customer_id__in=person.customer_ids) | Q(email__in=person.addresses)
    )


def person_inbound(person: Person, thread_ids: Iterable[int]) -> QuerySet[InboundMail]:
    """The mail stored from the person: imported into their threads, or from their address."""
    return InboundMail.objects.filter(
        Q(thread_id__in=list(thread_ids)) | Q(from_address__in=person.addresses)
    )


def person_outbound(person: Person, thread_ids: Iterable[int]) -> QuerySet[OutboundEmail]:
    return OutboundEmail.objects.filter(
        Q(thread_id__in=list(thread_ids)) | Q(to_email__in=person.addresses)
    )


def person_rate_keys(person: Person, thread_ids: Iterable[int] = ()) -> list[str]:
    """The contact form's counts of their address, and of the IP addresses they wrote from."""
    ips = Message.objects.filter(thread_id__in=list(thread_ids), ip_address__isnull=False)
    keys = {rate_key("email", a) for a in person.addresses}
    found = ips.values_list("ip_address", flat=True).distinct()
    keys |= {rate_key("ip", ip) for ip in found if ip}
    # The double-submit check's keys: a hash of what was posted (threads.contact_messages).
    posted = Message.objects.filter(
        thread_id__in=list(thread_ids), author=Author.CUSTOMER, source__in=[Source.FORM, Source.API]
    ).values_list("thread__email", "thread__contact_id", "thread__order_id", "text")
    for email, contact_id, order_id, text in posted:
        for order in {order_id, None}:
            keys.add(f"dup:{duplicate_fingerprint(email, contact_id, order, text)}")
    return sorted(keys)


def person_webhook_delivery_ids(person: Person, thread_ids: list[int]) -> set[int]:
    """Deliveries whose body names the person: their address, or one of their threads (the
    body is JSON written with ``separators=(",", ":")``, ``"thread_id":<id>,`` first). A few
    hundred patterns per query: SQLite limits how deep an expression may be."""
    patterns = [*person.addresses, *(f'"thread_id":{pk},' for pk in thread_ids)]
    found: set[int] = set()
    for start in range(0, len(patterns), 200):
        match = Q(pk__in=[])
        for pattern in patterns[start : start + 200]:
            match |= Q(body__contains=pattern)
        found |= set(WebhookDelivery.objects.filter(match).values_list("pk", flat=True))
    return found


def person_exports(person: Person) -> QuerySet[ExportRequest]:
    return ExportRequest.objects.filter(
        Q(customer_id__in=person.customer_ids) | Q(email__in=person.addresses)
    )


@dataclass(frozen=True)
class Holdings:
    """How many rows of each kind comptoir holds about a person (what an erasure removes)."""

    customers: int
    orders: int
    threads: int
    messages: int
    attachments: int
    inbound_mail: int
    unmatched_mail: int
    outbound_emails: int
    rate_limits: int
    webhook_deliveries: int
    exports: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @property
    def total(self) -> int:
        return sum(self.as_dict().values())


def person_holdings(person: Person) -> Holdings:
    """Counts of what comptoir holds about the person (a dozen queries, whatever the size)."""
    thread_ids = list(person_threads(person).values_list("pk", flat=True))
    inbound = person_inbound(person, thread_ids)
    return Holdings(
        customers=len(person.customer_ids),
        orders=Order.objects.filter(customer_id__in=person.customer_ids).count(),
        threads=len(thread_ids),
        messages=Message.objects.filter(thread_id__in=thread_ids).count(),
        attachments=Attachment.objects.filter(message__thread_id__in=thread_ids).count(),
        inbound_mail=inbound.exclude(status=InboundStatus.UNMATCHED).count(),
        unmatched_mail=inbound.filter(status=InboundStatus.UNMATCHED).count(),
        outbound_emails=person_outbound(person, thread_ids).count(),
        rate_limits=rate_counters_held(person_rate_keys(person, thread_ids)),
        webhook_deliveries=len(person_webhook_delivery_ids(person, thread_ids)),
        exports=person_exports(person).count(),
    )


# --- erasure -------------------------------------------------------------------------------------


def customer_erase(*, person: Person, employee: Employee, via: Via) -> ErasureRecord:
    """Delete everything comptoir holds about the person, and keep an audit row without it.

    Threads go with their messages, events, attachments (files deleted through the storage API
    after commit), e-mails and counters (``threads_delete``); then the stored mail (rows and
    bytes), the e-mails sent to the address, the contact form's rate-limit rows, the webhook
    deliveries and pending events naming them, their exports, orders and customer rows. On
    SQLite the connection deletes with ``secure_delete`` (freed pages zeroed) and the write-ahead
    log is checkpointed after commit, so the text is not left in the database file.
    """
    holdings = person_holdings(person)
    thread_ids = list(person_threads(person).order_by("id").values_list("pk", flat=True))
    with transaction.atomic():
        # Before the threads: deleting one sets its stored mail's thread to NULL.
        inbound = list(person_inbound(person, thread_ids).values_list("pk", "raw_file"))
        inbound_ids = [pk for pk, _file in inbound]
        rate_keys = person_rate_keys(person, thread_ids)
        deliveries = sorted(person_webhook_delivery_ids(person, thread_ids))
        deliveries_removed = 0
        for start in range(0, len(deliveries), _CHUNK):
            ids = deliveries[start : start + _CHUNK]
            deliveries_removed += WebhookDelivery.objects.filter(pk__in=ids).delete()[0]
        OutboundEvent.objects.filter(thread_id__in=thread_ids).delete()
        person_outbound(person, thread_ids).delete()
        for start in range(0, len(thread_ids), BATCH):
            threads = list(Thread.objects.filter(pk__in=thread_ids[start : start + BATCH]))
            threads_delete(threads=threads)
        search_index_purge()  # the search index's copy of their words
        for start in range(0, len(inbound_ids), _CHUNK):
            InboundMail.objects.filter(pk__in=inbound_ids[start : start + _CHUNK]).delete()
        rate_counters_forget(rate_keys)
        exports = person_exports(person)
        files = [name for name in exports.values_list("storage_name", flat=True) if name]
        files += [raw_file for _pk, raw_file in inbound if raw_file]  # large mail, kept as files
        exports.delete()
        transaction.on_commit(lambda: attachment_files_delete(files))
        OrderHistory.objects.filter(order__customer_id__in=person.customer_ids).delete()
        Order.objects.filter(customer_id__in=person.customer_ids).delete()
        Customer.objects.filter(pk__in=person.customer_ids).delete()
        counts = holdings.as_dict()
        counts["webhook_deliveries"] = deliveries_removed
        record = ErasureRecord.objects.create(
            employee=employee, via=via, reference=person.reference(), counts=counts
        )
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        # The write-ahead log still holds the pages as they were: copy it into the file now.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return record


# --- export --------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)[:100] or "file"


def export_is_large(person: Person) -> bool:
    """Whether the export is built by the worker rather than during the request."""
    thread_ids = person_threads(person).values_list("pk", flat=True)
    messages = Message.objects.filter(thread_id__in=thread_ids).count()
    files = Attachment.objects.filter(message__thread_id__in=thread_ids)
    total = sum(files.values_list("size", flat=True))
    return messages > EXPORT_INLINE_MESSAGES or total > EXPORT_INLINE_BYTES


def _customer_data(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "shop_id": customer.external_id,
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "guest": customer.is_guest,
        "language": customer.language,
        "customer_since": _iso(customer.created_at),
    }


def _order_data(order: Order) -> dict[str, Any]:
    return {
        "id": order.pk,
        "shop_id": order.external_id,
        "reference": order.reference,
        "date": _iso(order.created_at),
        "currency": order.currency,
        "total_paid": str(order.total_paid),
        "valid": order.valid,
        "status": order.current_state.name_in(order.language) if order.current_state else None,
        "history": [
            {"status": h.state.name_in(order.language), "date": _iso(h.created_at)}
            for h in order.history.all()
        ],
    }


def _message_data(message: Message, original: str | None) -> dict[str, Any]:
    return {
        "id": message.pk,
        "from": message.author,
        "internal_note": message.private,
        "source": message.source,
        "date": _iso(message.created_at),
        "text": message.text,
        "html": message.html,
        "quoted_text": message.quoted_text,
        "ip_address": message.ip_address,
        "user_agent": message.user_agent,
        "attachments": [
            {
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "file": f"attachments/{message.pk}/{a.pk}-{_safe(a.original_name)}",
            }
            for a in message.attachments.all()
        ],
        "original_mail": original,
    }


def _email_data(email: OutboundEmail) -> dict[str, Any]:
    return {
        "kind": email.kind,
        "to": email.to_email,
        "subject": email.subject,
        "text": email.body_text,
        "status": email.status,
        "sent_at": _iso(email.sent_at),
        "created_at": _iso(email.created_at),
    }


def _write_export(
    person: Person, target: IO[bytes], progress: Callable[[int, int], None] | None = None
) -> None:
    """The ZIP: ``data.json`` (everything), ``summary.html`` (readable, in the person's
    language), ``attachments/…`` (the files) and ``mail/…`` (original e-mails kept)."""
    customers = list(Customer.objects.filter(pk__in=person.customer_ids).order_by("id"))
    orders = list(
        Order.objects.filter(customer_id__in=person.customer_ids)
        .select_related("current_state")
        .prefetch_related("history__state")
        .order_by("created_at", "id")
    )
    thread_ids = list(person_threads(person).order_by("id").values_list("pk", flat=True))
    inbound = list(
        person_inbound(person, thread_ids)
        .order_by("id")
        .values_list("pk", "thread_id", "message_id", "status", "subject", "received_at")
    )
    originals = {(t, mid): f"mail/{pk}.eml" for pk, t, mid, *_rest in inbound if t and mid}
    total = len(thread_ids) + 1
    threads_data: list[dict[str, Any]] = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for start in range(0, len(thread_ids), BATCH):
            batch = list(
                Thread.objects.filter(pk__in=thread_ids[start : start + BATCH])
                .select_related("contact", "order")
                .prefetch_related("messages__attachments", "events", "emails")
                .order_by("id")
            )
            for thread in batch:
                messages = []
                for message in thread.messages.all():
                    original = originals.get((thread.pk, message.message_id))
                    messages.append(_message_data(message, original))
                    for attachment, row in zip(
                        message.attachments.all(), messages[-1]["attachments"], strict=True
                    ):
                        with (
                            attachment_open(attachment) as handle,
                            archive.open(row["file"], "w") as out,
                        ):
                            shutil.copyfileobj(handle, out, 64 * 1024)
                threads_data.append(
                    {
                        "id": thread.pk,
                        "contact": thread.contact.name_in(person.language)
                        if thread.contact
                        else None,
                        "email": thread.email,
                        "language": thread.language,
                        "status": thread.status,
                        "order_reference": thread.order.reference if thread.order else None,
                        "product_reference": thread.product_reference,
                        "created_at": _iso(thread.created_at),
                        "messages": messages,
                        "events": [
                            {"kind": e.kind, "date": _iso(e.created_at), "data": e.data}
                            for e in thread.events.all()
                        ],
                        "emails": [_email_data(e) for e in thread.emails.all()],
                    }
                )
            if progress:
                progress(min(start + BATCH, len(thread_ids)), total)
        ids = [pk for pk, *_rest in inbound]
        for start in range(0, len(ids), BATCH):
            for pk, raw in raw_by_inbound(ids[start : start + BATCH]).items():
                archive.writestr(f"mail/{pk}.eml", raw)
        other_emails = OutboundEmail.objects.filter(
            thread__isnull=True, to_email__in=person.addresses
        ).order_by("id")
        data = {
            "generated_at": _iso(timezone.now()),
            "customers": [_customer_data(c) for c in customers],
            "orders": [_order_data(o) for o in orders],
            "threads": threads_data,
            "other_emails": [_email_data(e) for e in other_emails],
            "received_mail": [
                {
                    "file": f"mail/{pk}.eml",
                    "status": status,
                    "subject": subject,
                    "received_at": _iso(received),
                    "thread_id": thread_id,
                }
                for pk, thread_id, _mid, status, subject, received in inbound
            ],
        }
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        with translation.override(person.language):
            summary = render_to_string(
                "privacy/export_summary.html",
                {
                    "data": data,
                    "name": _display_name(customers, person),
                    "language": person.language,
                },
            )
        archive.writestr("summary.html", summary)
    if progress:
        progress(total, total)


def _display_name(customers: list[Customer], person: Person) -> str:
    for customer in customers:
        if customer.full_name:
            return customer.full_name
    return person.addresses[0] if person.addresses else ""


def customer_export_bytes(*, person: Person) -> bytes:
    """The export built in memory (a small one, answered during the request)."""
    buffer = io.BytesIO()
    _write_export(person, buffer)
    return buffer.getvalue()


def person_of_export(export: ExportRequest) -> Person:
    if export.customer is not None:
        return Person.of_customer(export.customer)
    return Person.of_address(export.email)


def export_request(
    *, employee: Employee, customer: Customer | None = None, email: str = ""
) -> ExportRequest:
    """Ask for an export: built now when small, else left to the worker."""
    export = ExportRequest.objects.create(
        requester=employee, customer=customer, email=email_normalize(email) if email else ""
    )
    if not export_is_large(person_of_export(export)):
        customer_export_build(export=export)
    return export


def customer_export_build(*, export: ExportRequest) -> ExportRequest:
    """Write the export's ZIP into storage (``exports/…``), its progress saved as it goes."""

    def progress(done: int, total: int) -> None:
        ExportRequest.objects.filter(pk=export.pk).update(progress_done=done, progress_total=total)

    ExportRequest.objects.filter(pk=export.pk).update(status=ExportStatus.BUILDING)
    try:
        with tempfile.TemporaryFile() as spool:
            _write_export(person_of_export(export), spool, progress)
            size = spool.tell()
            spool.seek(0)
            name = default_storage.save(f"{EXPORT_FOLDER}/{secrets.token_hex(16)}.zip", File(spool))
    except Exception as error:
        ExportRequest.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
        raise
    ExportRequest.objects.filter(pk=export.pk).update(
        status=ExportStatus.READY, storage_name=name, size=size, finished_at=timezone.now()
    )
    export.refresh_from_db()
    return export


def exports_build_pending(*, limit: int = 1) -> int:
    """The worker: build the oldest waiting exports (one at a time, claimed under a lease)."""
    built = 0
    for _n in range(limit):
        now = timezone.now()
        with transaction.atomic():
            claim = (
                ExportRequest.objects.filter(status=ExportStatus.QUEUED)
                .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
                .order_by("id")
            )
            if connection.features.has_select_for_update_skip_locked:
                claim = claim.select_for_update(skip_locked=True)
            export = claim.first()
            if export is None:
                return built
            ExportRequest.objects.filter(pk=export.pk).update(
                lease_expires_at=now + timedelta(minutes=30)
            )
        customer_export_build(export=export)
        built += 1
    return built


def export_take(*, export: ExportRequest) -> IO[bytes] | None:
    """The export's file, once: the first call marks it downloaded and opens it; later calls
    get None. The file is deleted by ``exports_tidy``."""
    taken = ExportRequest.objects.filter(pk=export.pk, status=ExportStatus.READY).update(
        status=ExportStatus.DOWNLOADED, downloaded_at=timezone.now()
    )
    if not taken:
        return None
    handle: IO[bytes] = default_storage.open(export.storage_name, "rb")
    return handle


EXPORT_KEEP = timedelta(days=7)


def exports_tidy() -> int:
    """Delete the files of downloaded exports, and exports nobody fetched within a week."""
    now = timezone.now()
    old = ExportRequest.objects.filter(
        Q(status=ExportStatus.DOWNLOADED, downloaded_at__lt=now - timedelta(minutes=10))
        | Q(created_at__lt=now - EXPORT_KEEP)
    )
    rows = list(old.values_list("pk", "storage_name")[:_CHUNK])
    attachment_files_delete([name for _pk, name in rows if name])
    ExportRequest.objects.filter(pk__in=[pk for pk, _name in rows]).delete()
    return len(rows)


# --- retention -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionCounts:
    closed_threads: int = 0
    inbound_mail: int = 0
    sent_mail: int = 0
    webhook_bodies: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _cutoff(days: int | None, now: datetime) -> datetime | None:
    return now - timedelta(days=days) if days is not None else None


def retention_targets(*, policy: RetentionPolicy, now: datetime) -> dict[str, QuerySet[Any]]:
    """The rows the next run removes, by kind (a kind with no period: none)."""
    targets: dict[str, QuerySet[Any]] = {}
    cutoff = _cutoff(policy.closed_threads_days, now)
    targets["closed_threads"] = (
        Thread.objects.filter(
            status=Status.CLOSED, status_changed_at__lt=cutoff, last_message_at__lt=cutoff
        )
        if cutoff
        else Thread.objects.none()
    )
    cutoff = _cutoff(policy.inbound_mail_days, now)
    done = [InboundStatus.IMPORTED, InboundStatus.IGNORED, InboundStatus.DISCARDED]
    targets["inbound_mail"] = (
        InboundRaw.objects.filter(inbound__status__in=done, inbound__received_at__lt=cutoff)
        if cutoff
        else InboundRaw.objects.none()
    )
    cutoff = _cutoff(policy.sent_mail_days, now)
    targets["sent_mail"] = (
        OutboundEmail.objects.filter(status=EmailStatus.SENT, sent_at__lt=cutoff)
        if cutoff
        else OutboundEmail.objects.none()
    )
    cutoff = _cutoff(policy.webhook_bodies_days, now)
    targets["webhook_bodies"] = (
        WebhookDelivery.objects.filter(
            status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.FAILED], created_at__lt=cutoff
        ).exclude(body="", response_body="")
        if cutoff
        else WebhookDelivery.objects.none()
    )
    return targets


def retention_preview(*, policy: RetentionPolicy, now: datetime | None = None) -> RetentionCounts:
    """What the next run would remove, counted (the settings page)."""
    targets = retention_targets(policy=policy, now=now or timezone.now())
    return RetentionCounts(**{kind: rows.count() for kind, rows in targets.items()})


def retention_apply(
    *, policy: RetentionPolicy, now: datetime | None = None, batch: int = BATCH
) -> RetentionCounts:
    """Remove what the policy no longer keeps, ``batch`` rows per short transaction: closed
    threads (with their messages, files and counters), the bytes of processed mail, copies of
    sent e-mails, webhook delivery bodies. ``now`` is fixed for the whole run, so it removes
    exactly what ``retention_preview`` with the same ``now`` counted."""
    now = now or timezone.now()
    targets = retention_targets(policy=policy, now=now)
    removed = dict.fromkeys(targets, 0)
    while ids := list(
        targets["closed_threads"].order_by("id").values_list("pk", flat=True)[:batch]
    ):
        removed["closed_threads"] += threads_delete(threads=list(Thread.objects.filter(pk__in=ids)))
    while ids := list(
        targets["inbound_mail"].order_by("inbound_id").values_list("pk", flat=True)[:batch]
    ):
        with transaction.atomic():
            large = InboundMail.objects.filter(pk__in=ids).exclude(raw_file="")
            files = list(large.values_list("raw_file", flat=True))
            large.update(raw_file="")  # a large message's bytes are a file: it goes too
            removed["inbound_mail"] += InboundRaw.objects.filter(pk__in=ids).delete()[0]
            transaction.on_commit(partial(attachment_files_delete, files))
    while ids := list(targets["sent_mail"].order_by("id").values_list("pk", flat=True)[:batch]):
        OutboundEmail.objects.filter(pk__in=ids).delete()
        removed["sent_mail"] += len(ids)
    while ids := list(
        targets["webhook_bodies"].order_by("id").values_list("pk", flat=True)[:batch]
    ):
        removed["webhook_bodies"] += WebhookDelivery.objects.filter(pk__in=ids).update(
            body="", response_body=""
        )
    RetentionPolicy.objects.filter(pk=policy.pk).update(last_run_at=now)
    return RetentionCounts(**removed)


RETENTION_EVERY = timedelta(days=1)


def retention_apply_if_due() -> RetentionCounts | None:
    """The worker's daily run: once a day whatever the number of workers and restarts."""
    policy = RetentionPolicy.load()
    now = timezone.now()
    with transaction.atomic():
        due = RetentionPolicy.objects.filter(pk=policy.pk).filter(
            Q(last_run_at__isnull=True) | Q(last_run_at__lt=now - RETENTION_EVERY)
        )
        if not due.update(last_run_at=now):
            return None
    return retention_apply(policy=policy, now=now)


def retention_policy_set(*, values: dict[str, int | None]) -> RetentionPolicy:
    policy = RetentionPolicy.load()
    for field, value in values.items():
        setattr(policy, field, value)
    policy.save()
    return policy
