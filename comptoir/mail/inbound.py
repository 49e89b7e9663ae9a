"""Inbound mail, first step: keep the raw bytes, keyed by where they came from.

Every fetcher (IMAP, POP3, later an SMTP listener) ends in ``inbound_store``; processing (parse,
match, import) is a separate step over stored rows, so a crash anywhere loses nothing and a
message that cannot be processed stays, with its error, for another try.

A message up to ``INLINE_BYTES`` is kept in its ``InboundRaw`` row; a larger one, up to the
size cap (``COMPTOIR_MAIL_MAX_BYTES``), in the attachment storage (``InboundMail.raw_file``),
copied there from the fetcher's spool without being whole in memory. A message over the cap is
not fetched at all (``inbound_keep_on_server``). A copy of a message already stored — same
bytes, or same Message-ID, sender and content (``mail/copies.py``) — is recorded ``ignored``
before anything parses it.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q

from comptoir.mail.copies import INLINE_BYTES, RawSpool
from comptoir.mail.models import InboundMail, InboundRaw, InboundStatus, Mailbox


def mail_max_bytes() -> int:
    """The size cap of one fetched message (``COMPTOIR_MAIL_MAX_BYTES``)."""
    return int(settings.COMPTOIR_MAIL_MAX_BYTES)


def inbound_row_create(inbound: InboundMail, raw: bytes) -> InboundMail:
    """Insert a new stored message's row and, in a row of their own, its bytes (``InboundRaw``):
    every stored message has both. Call inside a transaction."""
    inbound.save(force_insert=True)
    InboundRaw.objects.create(inbound=inbound, raw=raw)
    return inbound


def inbound_copy_of(
    *, mailbox: Mailbox | None, key: str, sha256: str, copy_key: str
) -> InboundMail | None:
    """The stored message this one is a copy of: the same bytes in the same mailbox, or the
    same Message-ID, sender and content anywhere."""
    same = Q(mailbox=mailbox, sha256=sha256)
    if copy_key:
        same |= Q(copy_key=copy_key)
    return (
        InboundMail.objects.filter(same)
        .exclude(key=key)
        .exclude(kept_on_server=True)
        .order_by("id")
        .first()
    )


def _file_save(spool: RawSpool) -> str:
    spool.file.seek(0)
    name = f"inbound/{secrets.token_hex(2)}/{secrets.token_hex(16)}.eml"
    return default_storage.save(name, File(spool.file))


def inbound_store_spool(
    *, mailbox: Mailbox | None, key: str, spool: RawSpool
) -> InboundMail | None:
    """Store a fetched message (``spool`` finished); None when this key is already stored
    (fetching again is a no-op). A copy is stored ``ignored``, naming its original.

    Commits before returning: the caller may then flag or delete the message on its server.
    """
    if InboundMail.objects.filter(key=key).exists():
        return None
    original = inbound_copy_of(
        mailbox=mailbox, key=key, sha256=spool.sha256, copy_key=spool.copy_key
    )
    large = spool.size > INLINE_BYTES
    raw_file = _file_save(spool) if large else ""
    row = InboundMail(
        mailbox=mailbox,
        key=key[:255],
        size=spool.size,
        sha256=spool.sha256,
        copy_key=spool.copy_key,
        raw_file=raw_file,
        message_id=spool.message_id[:255],
        from_address=spool.sender[:254],
        subject=spool.subject[:255],
    )
    if original is not None:
        row.status = InboundStatus.IGNORED
        row.decision = f"copy of {original.key}"[:255]
    try:
        with transaction.atomic():
            return inbound_row_create(row, b"" if large else spool.bytes())
    except IntegrityError:  # another worker stored it first
        if raw_file:
            default_storage.delete(raw_file)
        return None


def inbound_store(*, mailbox: Mailbox | None, key: str, raw: bytes) -> InboundMail | None:
    """``inbound_store_spool`` for bytes already in memory."""
    spool = RawSpool.of(raw)
    try:
        return inbound_store_spool(mailbox=mailbox, key=key, spool=spool)
    finally:
        spool.close()


def inbound_keep_on_server(
    *, mailbox: Mailbox | None, key: str, size: int, head: bytes
) -> InboundMail | None:
    """Record a message over the size cap without fetching it (``head``: its header block,
    for the sender, subject and Message-ID): ``failed`` and ``kept_on_server``, so "Delete
    messages" never removes it; the Unmatched mail page and the mailbox page show it."""
    if InboundMail.objects.filter(key=key).exists():
        return None
    spool = RawSpool.of(head + b"\r\n")
    spool.close()
    row = InboundMail(
        mailbox=mailbox,
        key=key[:255],
        size=min(size, 2**31 - 1),
        sha256="",
        kept_on_server=True,
        status=InboundStatus.FAILED,
        message_id=spool.message_id[:255],
        from_address=spool.sender[:254],
        subject=spool.subject[:255],
        error=f"message of {size} bytes is over the {mail_max_bytes()} bytes limit: "
        "left on the server",
    )
    try:
        with transaction.atomic():
            return inbound_row_create(row, b"")
    except IntegrityError:
        return None


TOO_LARGE_SHOWN = 20


def inbound_too_large(*, mailbox: Mailbox) -> list[InboundMail]:
    """The latest messages of ``mailbox`` left on its server for being over the size cap and
    not yet dealt with (the mailbox page lists them)."""
    rows = InboundMail.objects.filter(
        mailbox=mailbox, kept_on_server=True, status=InboundStatus.FAILED
    )
    return list(rows.order_by("-id")[:TOO_LARGE_SHOWN])
