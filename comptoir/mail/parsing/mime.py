"""Walking a parsed MIME tree: text and HTML bodies, attachments, and delivery reports.

- ``multipart/alternative``: the last alternative with text gives the plain text, the last one
  with HTML gives the HTML (an alternative may itself be ``multipart/related``);
- every other multipart (mixed, related, signed, report, digest...): children in order; several
  body parts (Apple Mail's text / image / text) are joined;
- a ``text/plain`` or ``text/html`` leaf is a body part unless it is ``attachment`` or has a
  file name; every other leaf is an attachment (``text/calendar``, PGP signatures, TNEF...);
- ``message/rfc822`` (a forwarded or returned message) is one ``.eml`` attachment, not walked;
  its Message-ID is remembered (a bounce's original message);
- ``message/delivery-status`` and ``text/rfc822-headers`` are read (recipients, actions,
  original Message-ID), not kept as attachments; nor are read receipts
  (``message/disposition-notification``) and abuse reports (``message/feedback-report``).
"""

from __future__ import annotations

import base64
import binascii
import re
import weakref
from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32
from typing import Any

from comptoir.mail.parsing.charset import (
    decode_bytes,
    raw_header_text,
    sniff_html_charset,
    to_bytes,
)
from comptoir.mail.parsing.headers import clean, decode_words, message_id, unfold, valid_address

MAX_DEPTH = 30
MAX_PARTS = 1000
_CONTENT_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]{1,64}/[a-z0-9!#$&^_.+-]{1,128}")
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_BODY_TYPES = ("text/plain", "text/html")
# Machine-readable report parts read for what they say, not kept as attachments.
_REPORT_PARTS = ("message/disposition-notification", "message/feedback-report")


@dataclass
class RawAttachment:
    filename: str  # sanitised; "" when the part has none
    content_type: str
    content: bytes
    disposition: str  # "inline", "attachment" or ""
    content_id: str  # without angle brackets


@dataclass
class Walk:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[RawAttachment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    embedded_message_ids: list[str] = field(default_factory=list)
    report_types: list[str] = field(default_factory=list)
    # (action, recipient, status code) of each per-recipient block of a delivery report
    delivery: list[tuple[str, str, str]] = field(default_factory=list)
    parts: int = 0

    def absorb(self, other: Walk) -> None:
        """Take everything but the bodies from a walk of a sub-tree."""
        self.attachments += other.attachments
        self.warnings += other.warnings
        self.embedded_message_ids += other.embedded_message_ids
        self.report_types += other.report_types
        self.delivery += other.delivery
        self.parts = other.parts


def raw_header(part: Message, name: str) -> str:
    """The first raw value of a header ("" if absent)."""
    for key, value in part.raw_items():
        if key.strip().lower() == name:
            return str(value)
    return ""


# Each part's header parameters, parsed once: a leaf asks for three or four of them.
_PARAMS: weakref.WeakKeyDictionary[Message, dict[str, list[tuple[str, Any]]]] = (
    weakref.WeakKeyDictionary()
)


def _params(part: Message, header: str) -> list[tuple[str, Any]]:
    known = _PARAMS.setdefault(part, {})
    if header not in known:
        holder = Message()
        holder[header] = unfold(raw_header(part, header))
        found = holder.get_params(header=header) or []
        known[header] = [(str(key).lower(), value) for key, value in found]
    return known[header]


def param(part: Message, name: str, header: str = "content-type") -> str:
    """A header parameter, RFC 2231 and raw 8-bit values decoded ("" if absent)."""
    value = next((value for key, value in _params(part, header) if key == name), None)
    if isinstance(value, tuple):
        charset, _language, text = value
        return decode_bytes(to_bytes(str(text)), str(charset or "") or None)[0]
    return str(value) if value else ""


def content_type(part: Message) -> str:
    value = part.get_content_type()
    return value if _CONTENT_TYPE.fullmatch(value) else "application/octet-stream"


def sanitise_filename(name: str) -> str:
    """The last path component, without control or bidirectional-override characters."""
    name = _BIDI.sub("", clean(decode_words(name)))
    name = re.split(r"[/\\]", name)[-1].strip(" .")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (
            f"{stem[: 190 - len(extension)]}.{extension}"
            if dot and len(extension) <= 10
            else name[:200]
        )
    return name


def _disposition(part: Message) -> str:
    value = clean(unfold(raw_header(part, "content-disposition"))).split(";", 1)[0].lower()
    return value if value in ("inline", "attachment") else ""


def _filename(part: Message) -> str:
    name = param(part, "filename", "content-disposition") or param(part, "name")
    return sanitise_filename(name) if name else ""


def _content_id(part: Message) -> str:
    return clean(unfold(raw_header(part, "content-id"))).strip("<> ")[:250]


def decode_base64(data: bytes) -> tuple[bytes, bool]:
    """(decoded bytes, whether the input was clean base64). Broken input (stray characters, a
    truncated end, missing padding) gives what can be decoded instead of the raw text."""
    compact = re.sub(rb"[^A-Za-z0-9+/=]", b"", data)
    stray = re.search(rb"[^A-Za-z0-9+/=\s]", data) is not None
    try:
        return base64.b64decode(compact, validate=True), not stray
    except binascii.Error:
        pass
    letters = re.sub(rb"[^A-Za-z0-9+/]", b"", compact)
    if len(letters) % 4 == 1:
        letters = letters[:-1]
    return base64.b64decode(letters + b"=" * (-len(letters) % 4)), False


def payload_bytes(part: Message, walk: Walk) -> bytes:
    """The decoded content of a leaf; broken base64 gives what could be decoded."""
    encoding = clean(unfold(raw_header(part, "content-transfer-encoding"))).lower()
    payload = part.get_payload()
    if encoding == "base64" and isinstance(payload, str):
        data, clean_input = decode_base64(to_bytes(payload))
        if not clean_input:
            walk.warnings.append("invalid base64 content: decoded what could be")
        return data
    defects = len(part.defects)
    decoded = part.get_payload(decode=True)
    if len(part.defects) > defects:
        walk.warnings.append(f"invalid {encoding} content: decoded what could be")
    return decoded if isinstance(decoded, bytes) else b""


def unflow(text: str, *, delsp: bool) -> str:
    """Undo RFC 3676 format=flowed: soft line breaks joined, space-stuffing removed."""
    out: list[str] = []
    buffer: str | None = None
    depth_of_buffer = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        body = body[1:] if body.startswith(" ") else body
        flowed = body.endswith(" ") and body != "-- "
        if flowed and delsp:
            body = body[:-1]
        if buffer is not None and depth == depth_of_buffer:
            buffer += body
        else:
            if buffer is not None:
                out.append(_quoted(buffer, depth_of_buffer))
            buffer, depth_of_buffer = body, depth
        if not flowed:
            out.append(_quoted(buffer, depth_of_buffer))
            buffer = None
    if buffer is not None:
        out.append(_quoted(buffer, depth_of_buffer))
    return "\n".join(out)


def _quoted(body: str, depth: int) -> str:
    return f"{'>' * depth} {body}" if depth else body


def _body_text(part: Message, ctype: str, walk: Walk) -> str:
    data = payload_bytes(part, walk)
    charset = param(part, "charset") or None
    if charset is None and ctype == "text/html":
        charset = sniff_html_charset(data)
    text, warning = decode_bytes(data, charset)
    if warning:
        walk.warnings.append(warning)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if ctype == "text/plain" and param(part, "format").lower() == "flowed":
        text = unflow(text, delsp=param(part, "delsp").lower() == "yes")
    return text


def _embedded_message(part: Message, walk: Walk) -> None:
    inner = part.get_payload(0) if isinstance(part.get_payload(), list) else None
    if not isinstance(inner, Message):
        return
    found = message_id(raw_header(inner, "message-id"))
    if found:
        walk.embedded_message_ids.append(found)
    try:
        content = inner.as_bytes()
    except Exception:  # a message we parsed may still fail to serialise
        content = b""
        walk.warnings.append("an attached message could not be re-encoded")
    subject = clean(decode_words(unfold(raw_header(inner, "subject"))))
    filename = _filename(part) or (sanitise_filename(subject[:150]) + ".eml" if subject else "")
    walk.attachments.append(
        RawAttachment(filename, content_type(part), content, _disposition(part), _content_id(part))
    )


def _delivery_status(part: Message, walk: Walk) -> None:
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = [
            {k.strip().lower(): raw_header_text(str(v)) for k, v in block.raw_items()}
            for block in payload
            if isinstance(block, Message)
        ]
    else:
        blocks = [_fields(chunk) for chunk in re.split(r"\n\s*\n", str(payload))]
    for block in blocks:
        recipient = block.get("final-recipient") or block.get("original-recipient") or ""
        action = clean(unfold(block.get("action", ""))).lower().split(" ", 1)[0]
        if recipient or action:
            address = valid_address(clean(unfold(recipient)).split(";", 1)[-1].strip(" <>"))
            status = clean(unfold(block.get("status", ""))).split(" ", 1)[0]
            walk.delivery.append((action, address, status))


def _fields(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in re.finditer(r"^([A-Za-z-]{1,40})\s*:\s*(.*)$", text, re.MULTILINE):
        found.setdefault(match[1].lower(), match[2])
    return found


def _rfc822_headers(part: Message, walk: Walk) -> None:
    text = raw_header_text(str(part.get_payload()))
    headers = HeaderParser(policy=compat32).parsestr(text.lstrip("\r\n"), headersonly=True)
    found = message_id(raw_header(headers, "message-id"))
    if found:
        walk.embedded_message_ids.append(found)


def _leaf(part: Message, ctype: str, walk: Walk) -> None:
    disposition, filename = _disposition(part), _filename(part)
    if ctype.startswith("multipart/"):
        walk.warnings.append(f"{ctype} without parts read as text")
        ctype = "text/plain"
    if ctype in _BODY_TYPES and disposition != "attachment" and not filename:
        (walk.plain if ctype == "text/plain" else walk.html).append(_body_text(part, ctype, walk))
        return
    if ctype == "text/rfc822-headers":
        _rfc822_headers(part, walk)
        return
    if ctype == "message/delivery-status":
        _delivery_status(part, walk)
        return
    content = payload_bytes(part, walk)
    walk.attachments.append(RawAttachment(filename, ctype, content, disposition, _content_id(part)))


def _alternative(children: list[Message], depth: int, walk: Walk) -> None:
    subs: list[Walk] = []
    for child in children:
        sub = Walk(parts=walk.parts)
        _walk(child, depth + 1, sub)
        walk.absorb(sub)
        subs.append(sub)
    walk.plain += next((s.plain for s in reversed(subs) if "".join(s.plain).strip()), [])
    walk.html += next((s.html for s in reversed(subs) if "".join(s.html).strip()), [])


def _deep_texts(part: Message, walk: Walk) -> None:
    """Below ``MAX_DEPTH``: only the text and HTML bodies, read without recursion (a message
    nested 50 or 3,000 levels deep keeps its text)."""
    walk.warnings.append(f"MIME tree deeper than {MAX_DEPTH} levels: only the text read below")
    stack = [part]
    while stack and walk.parts <= MAX_PARTS:
        current = stack.pop()
        walk.parts += 1
        if current.is_multipart():
            stack.extend(reversed(_children(current)))
            continue
        ctype = content_type(current)
        if ctype in _BODY_TYPES and _disposition(current) != "attachment":
            try:
                text = _body_text(current, ctype, walk)
            except Exception as exc:  # one bad part must not lose the rest of the message
                walk.warnings.append(f"{ctype} part skipped: {type(exc).__name__}")
                continue
            (walk.plain if ctype == "text/plain" else walk.html).append(text)


def _walk(part: Message, depth: int, walk: Walk) -> None:
    if depth > MAX_DEPTH:
        _deep_texts(part, walk)
        return
    walk.parts += 1
    if walk.parts > MAX_PARTS:
        if walk.parts == MAX_PARTS + 1:
            walk.warnings.append("MIME tree too large: the rest was not read")
        return
    ctype = content_type(part)
    try:
        _part(part, ctype, depth, walk)
    except Exception as exc:  # one bad part must not lose the rest of the message
        walk.warnings.append(f"{ctype} part skipped: {type(exc).__name__}: {str(exc)[:200]}")


def _part(part: Message, ctype: str, depth: int, walk: Walk) -> None:
    if ctype == "message/delivery-status":
        _delivery_status(part, walk)
    elif ctype in _REPORT_PARTS:
        return
    elif ctype.startswith("message/") and isinstance(part.get_payload(), list):
        _embedded_message(part, walk)
    elif not part.is_multipart():
        _leaf(part, ctype, walk)
    elif ctype == "multipart/alternative":
        _alternative(_children(part), depth, walk)
    else:
        if ctype == "multipart/report":
            walk.report_types.append(param(part, "report-type").lower())
        if ctype == "multipart/encrypted":
            walk.warnings.append("encrypted message: its text cannot be read")
        for child in _children(part):
            _walk(child, depth + 1, walk)


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return (
        [child for child in payload if isinstance(child, Message)]
        if isinstance(payload, list)
        else []
    )


def walk(message: Message) -> Walk:
    result = Walk()
    _walk(message, 0, result)
    return result
