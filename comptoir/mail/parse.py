"""Inbound mail parsing: raw bytes in, a frozen ``ParsedMail`` out. Pure: no database, no network.

``parse_mail`` never raises for any input except ``MailParseError``, and only for input that is
not mail at all (empty, or no header fields) or, as a last resort, when even the headers cannot
be read. Anything wrong inside a message (a broken part, an
unknown charset, a huge attachment, an undecodable header) becomes a line in ``warnings`` and the
rest of the message is still read. If the MIME structure itself cannot be read, the headers are
kept and the body is read as plain text, with a warning.

The steps live in ``comptoir.mail.parsing``: ``charset`` (bytes to text), ``headers`` (encoded
words, addresses, subject, ids, date), ``mime`` (the tree walk), ``html`` (sanitising and
converting), ``quotes`` (new text vs quoted history and signature), ``autoreply`` (auto-replies
and bounces).

Decisions worth knowing:

- ``html`` is sanitised with nh3: no script/style/forms/frames, no event handlers, no
  ``class``/``id``/``style``; links only to http(s)/mailto/tel; images only from ``cid:`` (the
  message's own attachments) and ``data:image/{png,jpeg,gif,webp};base64``; remote images lose
  their ``src`` (no tracking pixel, nothing loaded when a message is opened; their alt text stays).
- ``text`` is the text/plain body when it has any text, else the HTML converted to text.
- ``new_text`` is a contiguous piece of ``text`` (never empty when ``text`` is not blank);
  ``quoted_text`` is what was cut off, before and after it.
- ``ParsedAttachment.content_id`` has no angle brackets (what a ``cid:`` URL names); ``inline``
  is true for a part the HTML shows through ``cid:`` and for images sent ``inline``.
- Attachment caps count decoded bytes; a part over ``max_attachment_bytes``, or over what is left
  of ``max_total_attachment_bytes``, is dropped with a warning.
- Limits that keep one hostile message from stalling the worker, each with a warning: text
  over ``max_text_chars`` and HTML over ``max_html_chars`` are truncated, the subject is cut at
  1,000 characters, MIME trees with more than 1,000 parts are read in part and below 30
  levels only for their text and HTML bodies, and HTML whose elements nest more than 1,000
  deep (the sanitiser is quadratic on such input) or that has more than 100,000 tags, or whose
  sanitised form is over ``max_html_chars``, keeps only its text. Pathological inputs known to
  make html.parser, nh3 or the quote separator slow are tested in ``tests/test_parse_fuzz.py``
  and ``tests/test_parse_headers_and_limits.py``.
- Raw 8-bit headers are read as UTF-8, else in the charsets the message declares, else guessed
  (``charset.guess_decode``).
- Delivery reports: ``is_bounce`` (a failure: our e-mail did not arrive) and ``is_delay`` (only
  delayed: never a failure, and automatic mail, ``is_auto_reply``); both name the original
  Message-ID and recipient in ``bounced_message_id`` / ``bounced_recipient``.
- Loops: ``is_internal_notification`` flags our own notifications; our own replies can be
  recognised by their signed Message-ID (``comptoir.lib.msgid.verify_message_id``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.policy import compat32
from mimetypes import MimeTypes
from urllib.parse import unquote

from comptoir.mail.parsing import html as html_
from comptoir.mail.parsing import mime
from comptoir.mail.parsing.autoreply import HeaderMap, auto_reply_reason, bounce
from comptoir.mail.parsing.charset import fallback_decode, to_bytes
from comptoir.mail.parsing.headers import (
    decode_header,
    find_markers,
    message_id,
    message_ids,
    parse_addresses,
    parse_date,
    strip_reply_prefixes,
)
from comptoir.mail.parsing.quotes import split_reply

__all__ = ["MailParseError", "ParsedAttachment", "ParsedMail", "parse_mail"]


class MailParseError(Exception):
    """The input is not mail at all; the message says why."""


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    size: int
    sha256: str
    content: bytes
    inline: bool
    content_id: str


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    from_address: str
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: str
    subject: str
    subject_stripped: str
    date: datetime | None
    text: str
    html: str
    new_text: str
    quoted_text: str
    attachments: tuple[ParsedAttachment, ...]
    is_auto_reply: bool
    auto_reply_reason: str
    is_bounce: bool
    # A delivery report that only says "delayed": never a failure, never a customer message.
    is_delay: bool
    bounced_message_id: str
    bounced_recipient: str
    is_internal_notification: bool
    markers: tuple[int, str] | None
    warnings: tuple[str, ...]
    size: int


@dataclass(frozen=True)
class _Limits:
    attachment: int
    total: int
    text: int
    html: int


@dataclass
class _Body:
    text: str = ""
    html: str = ""
    history_at: int | None = None
    attachments: tuple[ParsedAttachment, ...] = ()


_HEADER_LINE = re.compile(rb"[!-9;-~]{1,200}[ \t]*:")
_MAIL_HEADERS = {
    "from",
    "sender",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "received",
    "return-path",
    "mime-version",
    "content-type",
    "delivered-to",
    "reply-to",
    "in-reply-to",
    "references",
}
_CID = re.compile(r"cid:([^\"'\s<>)]{1,250})", re.IGNORECASE)
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_EXTENSIONS = {
    "application/octet-stream": ".bin",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
    "message/rfc822": ".eml",
    "message/global": ".eml",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "application/pdf": ".pdf",
    "application/pgp-signature": ".asc",
    "application/ms-tnef": ".dat",
    "application/pkcs7-signature": ".p7s",
}
_MIME_TYPES = MimeTypes()  # Python's built-in table only: the same names on every machine.
MAX_WARNINGS = 50
MAX_SUBJECT_CHARS = 1000
MAX_NAME_CHARS = 200


def parse_mail(
    raw: bytes,
    *,
    max_attachment_bytes: int = 10 * 1024 * 1024,
    max_total_attachment_bytes: int = 25 * 1024 * 1024,
    max_text_chars: int = 200_000,
    max_html_chars: int = 2_000_000,
) -> ParsedMail:
    """Parse one raw message (see the module docstring for the contract)."""
    limits = _Limits(
        max_attachment_bytes, max_total_attachment_bytes, max_text_chars, max_html_chars
    )
    warnings: list[str] = []
    data = _mail_bytes(bytes(raw), warnings)
    try:
        return _parse(data, len(raw), limits, warnings)
    except (MailParseError, MemoryError):
        raise
    except Exception as exc:  # the safety net: read what can be read
        return _parse_degraded(data, len(raw), limits, warnings, exc)


def _mail_bytes(raw: bytes, warnings: list[str]) -> bytes:
    """The input without an mbox "From " line or leading blank lines; MailParseError if it does
    not start with a header field."""
    if not raw.strip():
        raise MailParseError("empty input: no header and no body")
    data = raw
    if data.startswith(b"From "):
        data = data.split(b"\n", 1)[1] if b"\n" in data else b""
        warnings.append('mbox "From " line removed')
    if data[:1] in (b"\r", b"\n", b" ", b"\t"):
        data = data.lstrip(b"\r\n \t")
        warnings.append("blank lines before the headers removed")
    if not _HEADER_LINE.match(data):
        raise MailParseError("not a mail: the input does not start with a header field")
    return data


def _check_headers(headers: HeaderMap) -> None:
    if not headers.names() & _MAIL_HEADERS:
        raise MailParseError(
            "not a mail: none of From, To, Subject, Date, Message-ID, Received, MIME-Version..."
        )


def _parse(data: bytes, size: int, limits: _Limits, warnings: list[str]) -> ParsedMail:
    message = BytesParser(policy=compat32).parsebytes(data)
    headers = HeaderMap(message.raw_items(), _declared_charsets(message))
    _check_headers(headers)
    walked = mime.walk(message)
    warnings += walked.warnings
    body = _body(walked, limits, warnings)
    return _assemble(headers, body, walked, size, warnings)


def _declared_charsets(message: Message) -> tuple[str, ...]:
    """The charsets the message's parts declare (the first 50 parts), to read raw 8-bit
    headers with."""
    found: list[str] = []
    stack, seen = [message], 0
    while stack and seen < 50:  # without recursion: a tree may be thousands of levels deep
        part = stack.pop()
        seen += 1
        # Only a multipart's payload: reading a leaf's would decode its 8-bit body with the
        # declared charset, which may be anything ("\x00" raises ValueError).
        if part.is_multipart():
            payload = part.get_payload()
            stack.extend(reversed([p for p in payload if isinstance(p, Message)]))
        charset = mime.param(part, "charset")
        if charset and charset.lower() not in found:
            found.append(charset.lower())
    return tuple(found)


def _parse_degraded(
    data: bytes, size: int, limits: _Limits, warnings: list[str], error: Exception
) -> ParsedMail:
    try:
        message: Message = BytesHeaderParser(policy=compat32).parsebytes(data)
        headers = HeaderMap(message.raw_items())
        _check_headers(headers)
        warnings.append(
            f"the MIME structure could not be read ({type(error).__name__}: "
            f"{str(error)[:200]}); the body is kept as plain text"
        )
        text = _clean_text(fallback_decode(to_bytes(str(message.get_payload())))[0])
        body = _Body(text=_truncate(text, limits.text, warnings))
        return _assemble(headers, body, mime.Walk(), size, warnings)
    except MailParseError:
        raise
    except Exception as exc:
        raise MailParseError(f"unreadable mail: {type(exc).__name__}: {str(exc)[:200]}") from exc


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return _SURROGATES.sub("\ufffd", text).rstrip().lstrip("\n")


def _truncate(text: str, limit: int, warnings: list[str]) -> str:
    if len(text) <= limit:
        return text
    warnings.append(f"text truncated to {limit} characters (was {len(text)})")
    return text[:limit]


def _body(walked: mime.Walk, limits: _Limits, warnings: list[str]) -> _Body:
    plain = _clean_text("\n".join(walked.plain))
    raw_html = _SURROGATES.sub("\ufffd", "\n".join(walked.html).replace("\x00", ""))
    if len(raw_html) > limits.html:
        warnings.append(f"HTML truncated to {limits.html} characters (was {len(raw_html)})")
        raw_html = raw_html[: limits.html]
    history_at: int | None = None
    if plain.strip():
        text = plain
    elif raw_html.strip():
        text, history_at = html_.to_text(raw_html)
    else:
        text = ""
    text = _truncate(text, limits.text, warnings)
    if history_at is not None:
        history_at = min(history_at, len(text))
    referenced = {unquote(cid).lower() for cid in _CID.findall(raw_html)}
    return _Body(
        text=text,
        html=_safe_html(raw_html, limits.html, warnings),
        history_at=history_at,
        attachments=_attachments(walked.attachments, referenced, limits, warnings),
    )


def _safe_html(raw_html: str, limit: int, warnings: list[str]) -> str:
    """The sanitised HTML, within ``limit`` characters (the sanitiser closes every tag left
    open, so its output can be longer than its input); else only the text is kept."""
    if not raw_html.strip():
        return ""
    if html_.nesting_depth(raw_html) > html_.MAX_NESTING:
        warnings.append(
            f"HTML nested more than {html_.MAX_NESTING} levels deep: only its text kept"
        )
        return ""
    if raw_html.count("<") > html_.MAX_TAGS:
        warnings.append(f"HTML with more than {html_.MAX_TAGS} tags: only its text kept")
        return ""
    safe = html_.sanitise(raw_html).strip()
    if len(safe) > limit:
        warnings.append(f"sanitised HTML over {limit} characters ({len(safe)}): only its text kept")
        return ""
    return safe


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def default_filename(index: int, content_type: str) -> str:
    extension = _EXTENSIONS.get(content_type) or _MIME_TYPES.guess_extension(content_type) or ".bin"
    return f"attachment-{index}{extension}"


def _attachments(
    raws: list[mime.RawAttachment], referenced: set[str], limits: _Limits, warnings: list[str]
) -> tuple[ParsedAttachment, ...]:
    kept: list[ParsedAttachment] = []
    total = 0
    for index, raw in enumerate(raws, start=1):
        name = raw.filename or default_filename(index, raw.content_type)
        size = len(raw.content)
        if size > limits.attachment:
            warnings.append(f"attachment too large dropped: {name} ({_megabytes(size)})")
            continue
        if total + size > limits.total:
            warnings.append(f"attachment over the total limit dropped: {name} ({_megabytes(size)})")
            continue
        total += size
        inline = bool(raw.content_id and raw.content_id.lower() in referenced) or (
            raw.disposition == "inline" and raw.content_type.startswith("image/")
        )
        kept.append(
            ParsedAttachment(
                filename=name,
                content_type=raw.content_type,
                size=size,
                sha256=hashlib.sha256(raw.content).hexdigest(),
                content=raw.content,
                inline=inline,
                content_id=raw.content_id,
            )
        )
    return tuple(kept)


def _first_address(headers: HeaderMap, name: str, warnings: list[str]) -> tuple[str, str]:
    found = parse_addresses(headers.first(name), warnings)
    if len(found) > 1 and name == "from":
        warnings.append("several From addresses: the first one is used")
    return found[0] if found else ("", "")


def _assemble(
    headers: HeaderMap, body: _Body, walked: mime.Walk, size: int, warnings: list[str]
) -> ParsedMail:
    from_name, from_address = _first_address(headers, "from", warnings)
    from_name = from_name[:MAX_NAME_CHARS]
    subject = decode_header(headers.first("subject"), warnings)
    if len(subject) > MAX_SUBJECT_CHARS:
        warnings.append(f"subject truncated to {MAX_SUBJECT_CHARS} characters (was {len(subject)})")
        subject = subject[:MAX_SUBJECT_CHARS]
    reply = split_reply(body.text, body.history_at)
    found_bounce = bounce(headers, from_address, subject, walked, body.text)
    reason = (
        "" if found_bounce.is_bounce else auto_reply_reason(headers, subject, walked.report_types)
    )
    if found_bounce.kind and not found_bounce.is_bounce and not reason:
        reason = f"delivery status notification ({found_bounce.kind})"
    return ParsedMail(
        message_id=message_id(headers.first("message-id")),
        in_reply_to=message_id(headers.first("in-reply-to")),
        references=message_ids(headers.first("references")),
        from_address=from_address,
        from_name=from_name,
        to=tuple(address for _n, address in parse_addresses(headers.first("to"), warnings)),
        cc=tuple(address for _n, address in parse_addresses(headers.first("cc"), warnings)),
        reply_to=_first_address(headers, "reply-to", warnings)[1],
        subject=subject,
        subject_stripped=strip_reply_prefixes(subject),
        date=parse_date(headers.first("date")),
        text=body.text,
        html=body.html,
        new_text=reply.new_text,
        quoted_text=reply.quoted_text,
        attachments=body.attachments,
        is_auto_reply=bool(reason),
        auto_reply_reason=reason,
        is_bounce=found_bounce.is_bounce,
        is_delay=found_bounce.is_delay,
        bounced_message_id=found_bounce.message_id,
        bounced_recipient=found_bounce.recipient,
        is_internal_notification=headers.has("x-comptoir-internal"),
        markers=find_markers(subject),
        warnings=_unique(warnings),
        size=size,
    )


def _unique(warnings: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(warnings))[:MAX_WARNINGS]
