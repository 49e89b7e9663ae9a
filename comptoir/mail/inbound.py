"""Inbound mail, first step: keep the raw bytes, keyed by where they came from.

Every fetcher (IMAP, POP3, later an SMTP listener) ends in ``inbound_store``; processing (parse,
match, import) is a separate step over stored rows, so a crash anywhere loses nothing and a
message that cannot be processed stays, with its error, for another try.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction

from comptoir.mail.models import InboundMail, InboundRaw, InboundStatus, Mailbox

# Anything larger is kept out of the database and reported (no shop customer writes 40 MB).
MAX_RAW_BYTES = 40 * 1024 * 1024


def inbound_row_create(inbound: InboundMail, raw: bytes) -> InboundMail:
    """Insert a new stored message's row and, in a row of their own, its bytes (``InboundRaw``):
    every stored message has both. Call inside a transaction."""
    inbound.save(force_insert=True)
    InboundRaw.objects.create(inbound=inbound, raw=raw)
    return inbound


def inbound_store(*, mailbox: Mailbox | None, key: str, raw: bytes) -> InboundMail | None:
    """Store a fetched message; None when this key is already stored (fetching again is a no-op).

    Commits before returning: the caller may then flag or delete the message on its server.
    """
    if InboundMail.objects.filter(key=key).exists():
        return None
    digest = hashlib.sha256(raw).hexdigest()
    too_large = len(raw) > MAX_RAW_BYTES
    try:
        with transaction.atomic():
            row = InboundMail(
                mailbox=mailbox,
                key=key[:255],
                size=len(raw),
                sha256=digest,
                status=InboundStatus.FAILED if too_large else InboundStatus.NEW,
                error=f"message of {len(raw)} bytes is over the {MAX_RAW_BYTES} limit"
                if too_large
                else "",
            )
            return inbound_row_create(row, b"" if too_large else raw)
    except IntegrityError:  # another worker stored it first
        return None
