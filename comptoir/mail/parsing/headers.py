"""Header values: unfolding, RFC 2047 encoded words, addresses, subjects, Message-IDs, dates.

Addresses are split on the raw header *before* encoded words are decoded, so a display name
that decodes to ``"Shop <support@shop.test>, victim@example.org"`` or to a CR/LF plus ``Bcc:``
stays a display name and never adds an address.
"""

from __future__ import annotations

import binascii
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import cast

from comptoir.lib.addresses import email_normalize
from comptoir.mail.parsing.charset import decode_bytes, raw_header_text

# An encoded word; one whose closing "?=" is missing ends at white space or the end.
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,80})\?([bBqQ])\?(?:([^?]*)\?=|([^?\s]+)(?=\s|$))")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
_MSGID = re.compile(r"<[^<>\s]{1,994}>")
_BARE_MSGID = re.compile(r"[^<>\s@]{1,500}@[^<>\s@]{1,400}")
_ADDR_ATOM = r"[^\s@<>(),;:\"\[\]\\\x00-\x1f\x7f]"
_ADDRESS = re.compile(
    rf"(?:{_ADDR_ATOM}{{1,64}}|\"[^\"\\\x00-\x1f\x7f]{{1,62}}\")@(?:[^\s@<>(),;:\"\[\]\\\x00-\x1f\x7f.]+\.)*"
    rf"[^\s@<>(),;:\"\[\]\\\x00-\x1f\x7f.]+"
)
MAX_ADDRESSES = 200
MAX_REFERENCES = 100


def unfold(value: str) -> str:
    """One line: folding removed, stray CR/LF turned into spaces, raw 8-bit bytes decoded."""
    text = _FOLD.sub("", raw_header_text(value))
    return text.replace("\r", " ").replace("\n", " ")


def clean(value: str) -> str:
    """Control characters (CR, LF, NUL, lone surrogates...) become spaces; whitespace collapsed."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    data = payload.encode("utf-8", errors="replace")
    if encoding in "qQ":
        return binascii.a2b_qp(data, header=True)
    data = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
    if len(data) % 4 == 1:
        data = data[:-1]
    data += b"=" * (-len(data) % 4)
    try:
        return binascii.a2b_base64(data)
    except binascii.Error:
        return None


def decode_words(value: str, warnings: list[str] | None = None) -> str:
    """Decode RFC 2047 encoded words (adjacent words with the same charset are decoded together,
    so a multi-byte character split across two words survives). Whitespace between two encoded
    words is dropped as the RFC says; undecodable words are kept as written; a last word whose
    "?=" is missing is decoded all the same. Linear in the length of the value."""
    # (charset, pieces of bytes) or ("", [literal text]); pieces joined once at the end.
    chunks: list[tuple[str, list[bytes] | list[str]]] = []
    position = 0
    for match in _ENCODED_WORD.finditer(value):
        gap = value[position : match.start()]
        previous_is_word = bool(chunks) and chunks[-1][0] != ""
        if gap and not (previous_is_word and not gap.strip()):
            chunks.append(("", [gap]))
        position = match.end()
        charset = match[1].split("*", 1)[0]
        data = _word_bytes(match[2], match[3] if match[3] is not None else match[4])
        if data is None:
            chunks.append(("", [match[0]]))
            continue
        last = chunks[-1] if chunks else None
        if last is not None and last[0] and last[0].lower() == charset.lower():
            cast(list[bytes], last[1]).append(data)
        else:
            chunks.append((charset, [data]))
    chunks.append(("", [value[position:]]))
    return "".join(_chunk_text(chunk, warnings) for chunk in chunks)


def _chunk_text(chunk: tuple[str, list[bytes] | list[str]], warnings: list[str] | None) -> str:
    charset, pieces = chunk
    if not charset:
        return "".join(cast(list[str], pieces))
    text, warning = decode_bytes(b"".join(cast(list[bytes], pieces)), charset)
    if warning and warnings is not None:
        warnings.append(f"header: {warning}")
    return text


def decode_header(value: str, warnings: list[str] | None = None) -> str:
    """A free-text header (Subject, ...) as one clean line of text."""
    return clean(decode_words(unfold(value), warnings))


# --- addresses ------------------------------------------------------------------------------


def _tokens(segment: str) -> list[tuple[str, str]]:
    """Split one address into ("quoted"|"comment"|"angle"|"text", content) tokens."""
    tokens: list[tuple[str, str]] = []
    i, length = 0, len(segment)
    while i < length:
        ch = segment[i]
        if ch == '"':
            end, content = _scan_quoted(segment, i + 1)
            tokens.append(("quoted", content))
        elif ch == "(":
            end, content = _scan_comment(segment, i + 1)
            tokens.append(("comment", content))
        elif ch == "<":
            close = segment.find(">", i + 1)
            end = length if close < 0 else close + 1
            tokens.append(("angle", segment[i + 1 : end - 1 if close >= 0 else end]))
        else:
            end = i + 1
            while end < length and segment[end] not in '"(<':
                end += 1
            tokens.append(("text", segment[i:end]))
        i = end
    return tokens


def _scan_quoted(text: str, i: int) -> tuple[int, str]:
    out: list[str] = []
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == '"':
            return i + 1, "".join(out)
        out.append(ch)
        i += 1
    return i, "".join(out)


def _scan_comment(text: str, i: int) -> tuple[int, str]:
    depth, start = 1, i
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return i + 1, text[start:i]
        i += 1
    return i, text[start:i]


def _split_list(value: str) -> list[str]:
    """Split an address list on the commas and semicolons outside quotes, comments and <>."""
    segments: list[str] = []
    start, i, length = 0, 0, len(value)
    while i < length:
        ch = value[i]
        if ch == '"':
            i = _scan_quoted(value, i + 1)[0]
            continue
        if ch == "(":
            i = _scan_comment(value, i + 1)[0]
            continue
        if ch == "<":
            close = value.find(">", i + 1)
            i = length if close < 0 else close + 1
            continue
        if ch in ",;":
            segments.append(value[start:i])
            start = i + 1
        i += 1
    segments.append(value[start:])
    return segments


def _mailbox(segment: str) -> tuple[str, str]:
    """(raw display name, raw address) of one list element."""
    tokens = _tokens(segment)
    # A group ("Customers: a@b, c@d;") starts with "name:"; keep what follows the colon.
    for index, (kind, content) in enumerate(tokens):
        if kind == "angle":
            break
        if kind == "text" and ":" in content:
            rest = content.split(":", 1)[1]
            tokens = [("text", rest), *tokens[index + 1 :]]
            break
    angles = [content for kind, content in tokens if kind == "angle"]
    if angles:
        before = tokens[: next(i for i, t in enumerate(tokens) if t[0] == "angle")]
        name = " ".join(_token_text(kind, content) for kind, content in before)
        return name, angles[0].rsplit(":", 1)[-1]
    address = "".join(
        f'"{content}"' if _quoted_local_part(tokens, index) else content
        for index, (kind, content) in enumerate(tokens)
        if kind in ("text", "quoted")
    )
    name = " ".join(content for kind, content in tokens if kind == "comment")
    if address.startswith('"'):  # '"System Administrator"@host': the spaces are the name's
        local, _at, domain = address.rpartition("@")
        return name, f"{local}@{''.join(domain.split())}"
    return name, "".join(address.split())


def _quoted_local_part(tokens: list[tuple[str, str]], index: int) -> bool:
    """Whether this quoted token is the local part of ``"System Administrator"@host``."""
    following = tokens[index + 1] if index + 1 < len(tokens) else ("", "")
    return tokens[index][0] == "quoted" and following[0] == "text" and following[1].startswith("@")


def _token_text(kind: str, content: str) -> str:
    return f"({content})" if kind == "comment" else content


def valid_address(address: str) -> str:
    """The addr-spec in its one stored form (``lib/addresses.py``), or "" if it is not one."""
    address = email_normalize(address)
    if len(address) > 320 or not _ADDRESS.fullmatch(address):
        return ""
    return address


def parse_addresses(value: str, warnings: list[str] | None = None) -> list[tuple[str, str]]:
    """Valid (display name, address) pairs of an address header, in order, without repeats.

    Unquoted commas in display names ("Dupont, Jean <jean@example.fr>") are common: a piece with
    no address is kept as the start of the next display name."""
    result: list[tuple[str, str]] = []
    seen: set[str] = set()
    pending = ""
    for segment in _split_list(unfold(value))[: MAX_ADDRESSES * 2]:
        raw_name, raw_address = _mailbox(segment)
        address = valid_address(raw_address)
        if not address:
            if "@" not in segment and ":" not in segment and segment.strip():
                pending = f"{pending} {segment.strip()},".strip()
            continue
        name = clean(decode_words(raw_name, warnings).strip().strip('"'))
        if pending and not name.startswith(pending):
            name = clean(f"{pending} {name}")
        pending = ""
        if address not in seen:
            seen.add(address)
            result.append((name.strip(), address))
    return result[:MAX_ADDRESSES]


# --- subject --------------------------------------------------------------------------------

_REPLY_PREFIX = re.compile(
    r"^\s*(?:"
    r"(?:re|fwd?|tr|aw|wg|rv|res|r[ée]f|sv|vs|antw|enc)\s*(?:\[\d{1,4}\]|\(\d{1,4}\))?\s*\.?\s*[:：]"
    r"|\[(?:re|fwd?|tr)\s*[:：]?\s*\]"
    r")\s*",
    re.IGNORECASE,
)
_MARKER_THREAD = re.compile(r"#ct(\d{1,18})(?!\d)")
_MARKER_TOKEN = re.compile(r"#tc([A-Za-z0-9]{1,64})(?![A-Za-z0-9])")


def strip_reply_prefixes(subject: str) -> str:
    """The subject without its reply/forward prefixes, in any of the usual languages."""
    for _ in range(50):
        stripped = _REPLY_PREFIX.sub("", subject, count=1)
        if stripped == subject:
            break
        subject = stripped
    return subject.strip()


def find_markers(subject: str) -> tuple[int, str] | None:
    """(thread id, token) from ``#ct<id>`` and ``#tc<token>`` in a subject; both are required."""
    thread = _MARKER_THREAD.search(subject)
    token = _MARKER_TOKEN.search(subject)
    if thread is None or token is None:
        return None
    return int(thread[1]), token[1]


# --- identifiers and date -------------------------------------------------------------------


def message_id(value: str) -> str:
    """The first ``<id>`` of a header; a bare ``id@domain`` is given its angle brackets."""
    text = clean(unfold(value))
    match = _MSGID.search(text)
    if match:
        return match[0]
    bare = _BARE_MSGID.fullmatch(text)
    return f"<{bare[0]}>" if bare else ""


def message_ids(value: str) -> tuple[str, ...]:
    """Every ``<id>`` of a References header, in order, without repeats; when there are too
    many, the first (the thread's root) and the most recent ones are kept."""
    found = list(dict.fromkeys(_MSGID.findall(clean(unfold(value)))))
    if len(found) > MAX_REFERENCES:
        found = [found[0], *found[-(MAX_REFERENCES - 1) :]]
    return tuple(found)


def parse_date(value: str) -> datetime | None:
    """An aware datetime, or None; a date without a zone (or "-0000") is taken as UTC."""
    text = clean(unfold(value))
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
