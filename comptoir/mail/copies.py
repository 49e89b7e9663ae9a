"""A fetched message as it arrives, and what makes two deliveries one message (issue 16).

``RawSpool`` takes the bytes in chunks — a large message never has to be whole in memory: past
``INLINE_BYTES`` they go to a temporary file — and reads, on the way, the digest of all the
bytes, the digest of the content (the body, and the headers that say how to read it), and the
Message-ID and sender from the header block. No MIME parsing: a copy is recognised before the
parser runs.

A copy is the same Message-ID from the same sender with the same content: a mail delivered
again gains a ``Received:`` line (or a ``Delivered-To:``, or a new ``X-`` header) but keeps
those three. ``copy_key`` is empty without a Message-ID or a sender: then only identical bytes
(``sha256``) make a copy.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import re
import tempfile
from email.header import decode_header, make_header
from email.utils import getaddresses
from typing import IO

from comptoir.lib.addresses import email_normalize

# Up to this size a message's bytes stay in memory and in the database row; beyond, on disk and
# then in the attachment storage.
INLINE_BYTES = 4 * 1024 * 1024
# A header block longer than this is not read for a copy key (a message that is all header).
MAX_HEADER_BYTES = 1024 * 1024
# Headers that change how the body reads: part of the content's digest.
_CONTENT_HEADERS = ("content-type", "content-transfer-encoding")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_SPACES = re.compile(r"\s+")


def _header_text(value: object) -> str:
    """A header's value as text (encoded words decoded), never raising."""
    text = str(value or "")
    try:
        return str(make_header(decode_header(text)))
    except (ValueError, LookupError, UnicodeError):
        return text


class RawSpool:
    """One message's bytes, written in chunks; ``finish()`` once they are all in."""

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=INLINE_BYTES)  # noqa: SIM115
        self.size = 0
        self._all = hashlib.sha256()
        self._content = hashlib.sha256()
        self._head = bytearray()
        self._in_body = False
        self.message_id = ""
        self.sender = ""
        self.subject = ""
        self.copy_key = ""
        self.sha256 = ""

    @classmethod
    def of(cls, raw: bytes) -> RawSpool:
        spool = cls()
        spool.write(raw)
        spool.finish()
        return spool

    def write(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.file.write(chunk)
        self.size += len(chunk)
        self._all.update(chunk)
        if self._in_body:
            self._body(chunk)
            return
        start = max(0, len(self._head) - 3)  # a blank line may straddle two chunks
        self._head += chunk
        end = _BLANK_LINE.search(self._head, start)
        if end is not None:
            rest = bytes(self._head[end.end() :])
            del self._head[end.start() :]
            self._in_body = True
            self._body(rest)
        elif len(self._head) > MAX_HEADER_BYTES:
            self._head.clear()
            self._in_body = True  # no copy key: the header block is not read

    def _body(self, chunk: bytes) -> None:
        # Line endings may change on the way (CRLF ↔ LF): they are not part of the content.
        self._content.update(chunk.replace(b"\r", b""))

    def finish(self) -> None:
        self.sha256 = self._all.hexdigest()
        head = bytes(self._head)
        self._head.clear()
        if not head:
            return
        headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)
        ids = re.findall(r"<[^<>\s]+>", str(headers.get("Message-ID", "") or ""))
        self.message_id = ids[0] if ids else ""
        senders = getaddresses([_header_text(v) for v in headers.get_all("From", [])])
        self.sender = email_normalize(senders[0][1]) if senders else ""
        self.subject = _SPACES.sub(" ", _header_text(headers.get("Subject", ""))).strip()
        if not (self.message_id and self.sender):
            return
        described = hashlib.sha256()
        for name in _CONTENT_HEADERS:
            value = _SPACES.sub(" ", str(headers.get(name, "") or "")).strip().lower()
            described.update(f"{name}:{value}\n".encode())
        described.update(self._content.digest())
        self.copy_key = hashlib.sha256(
            b"\0".join([self.message_id.encode(), self.sender.encode(), described.digest()])
        ).hexdigest()

    def bytes(self) -> bytes:
        self.file.seek(0)
        return self.file.read()

    def close(self) -> None:
        self.file.close()
