"""Bytes to text when the declared charset is right, wrong, unknown or missing.

What clients really send: ``iso-8859-1`` labels on windows-1252 text (curly quotes, "€", "œ"
in bytes 0x80-0x9F), Latin labels on UTF-8 text, made-up or misspelt labels ("1252",
"x-unknown", "utf8"), and no label at all. The rules, in order:

1. an unknown or refused label is replaced by the fallback (UTF-8, then windows-1252);
2. text labelled as a Western single-byte charset that is valid UTF-8 with non-ASCII bytes is
   UTF-8 (the reverse accident, Latin-1 text that happens to be valid UTF-8, is vanishingly rare);
3. text labelled ``iso-8859-1`` that has bytes 0x80-0x9F, or ``us-ascii`` with 8-bit bytes, is
   windows-1252;
4. the declared charset, strictly; on a decoding error UTF-8 is tried, then the declared charset
   with replacement characters if only a few bytes are bad, then windows-1252.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

FALLBACK = "windows-1252"

# Labels seen in real mail that Python does not know, or knows under another name.
_ALIASES = {
    "cp-1252": "cp1252",
    "win-1252": "cp1252",
    "windows1252": "cp1252",
    "x-cp1252": "cp1252",
    "ansi": "cp1252",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "unicode-1-1-utf-7": "utf-7",
    "x-unicode-2-0-utf-7": "utf-7",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "x-sjis": "shift_jis",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "latin-9": "iso-8859-15",
}
# Text codecs Python accepts that no mail charset label should select.
_REFUSED = {"unicode-escape", "raw-unicode-escape", "undefined", "idna", "punycode", "mbcs", "oem"}
_WESTERN = {"iso8859-1", "iso8859-15", "cp1252", "ascii"}
_C1 = re.compile(rb"[\x80-\x9f]")
# A raw 8-bit byte, as the ``email`` package leaves it in a header: a lone surrogate.
_RAW_BYTE = re.compile("[\udc80-\udcff]")
_LABEL = re.compile(r"[A-Za-z0-9._:+-]{1,40}")
_LEADING_LABEL = re.compile(r"[a-z0-9._:+-]{1,40}(?=[\s;,\"']|$)")


def normalise_label(label: str | None) -> str:
    """The label as written, lower-cased, without quotes, spaces, or what follows a broken
    parameter ("utf-8 ; format=flowed" is "utf-8"); "" if none."""
    text = (label or "").strip().strip("\"'").strip().lower()
    match = _LEADING_LABEL.match(text)
    return match[0] if match else text


def resolve(label: str) -> str | None:
    """The Python codec name for a mail charset label, or None if unknown or refused."""
    if not _LABEL.fullmatch(label):
        return None
    name = _ALIASES.get(label, label)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not info._is_text_encoding or info.name in _REFUSED:
        return None
    return info.name


def _display(codec: str) -> str:
    return {"cp1252": FALLBACK, "utf-8": "utf-8"}.get(codec, codec)


def fallback_decode(data: bytes) -> tuple[str, str]:
    """Decode undeclared bytes: UTF-8 if valid, else windows-1252. Returns (text, codec used)."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # The five bytes windows-1252 leaves undefined become U+FFFD.
        return data.decode("cp1252", errors="replace"), FALLBACK


def _is_utf8_text(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _lenient(data: bytes, codec: str) -> str | None:
    """The text decoded with replacement characters, if only a few bytes were bad."""
    try:
        text = data.decode(codec, errors="replace")
    except (LookupError, ValueError):
        return None
    return text if text.count("\ufffd") <= max(3, len(text) // 200) else None


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, str]:
    """Decode ``data`` labelled ``declared``. Returns (text, warning); warning is "" if the
    declared charset (or the lack of one on plain UTF-8/ASCII) was right."""
    label = normalise_label(declared)
    if not label:
        return fallback_decode(data)[0], ""
    codec = resolve(label)
    if codec is None:
        text, used = fallback_decode(data)
        return text, f"charset '{label}' replaced by {used}"
    if codec in _WESTERN and _is_utf8_text(data):
        return data.decode("utf-8"), f"charset '{label}' replaced by utf-8 (the text is UTF-8)"
    if codec == "ascii" and not data.isascii():
        return data.decode("cp1252", errors="replace"), f"charset '{label}' replaced by {FALLBACK}"
    if codec == "iso8859-1" and _C1.search(data):
        # What clients labelled Latin-1 mean: the bytes 0x80-0x9F are windows-1252 characters.
        return data.decode("cp1252", errors="replace"), ""
    try:
        return data.decode(codec), ""
    except (UnicodeDecodeError, ValueError, LookupError):
        pass
    try:
        return data.decode("utf-8"), f"charset '{label}' replaced by utf-8 (decoding errors)"
    except UnicodeDecodeError:
        pass
    lenient = _lenient(data, codec)
    if lenient is not None:
        return lenient, f"charset '{label}': undecodable bytes replaced"
    text, used = fallback_decode(data)
    return text, f"charset '{label}' replaced by {used} (decoding errors)"


def _utf8_cut(data: bytes) -> str | None:
    """UTF-8 with a character cut short (a file name cut at a byte limit, then quoted): the
    text without the cut character, if the rest is UTF-8 with non-ASCII characters."""
    pieces: list[str] = []
    position, cuts = 0, 0
    while True:
        try:
            pieces.append(data[position:].decode("utf-8"))
            break
        except UnicodeDecodeError as exc:
            truncated = exc.reason in ("invalid continuation byte", "unexpected end of data")
            lead = data[position + exc.start]
            if not truncated or not 0xC2 <= lead <= 0xF4 or cuts >= 2:
                return None
            pieces.append(data[position : position + exc.start].decode("utf-8"))
            position += exc.end
            cuts += 1
    text = "".join(pieces)
    return None if cuts == 0 or text.isascii() else text


# Undeclared 8-bit text is guessed among these; Western text stays windows-1252.
_GUESSED = ("gb18030", "big5", "shift_jis", "euc_kr", "cp1251", "koi8_r")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")
_MAX_GUESSED_BYTES = 4096
_IDEOGRAPH = re.compile("[\u4e00-\u9fff]")


def _looks_multibyte(latin: str) -> bool:
    """Whether windows-1252 text reads like another charset's bytes: its non-ASCII characters
    come in runs ("ÄúµÄ¶©µ¥"), where Western text has them one by one ("Renée Lefèvre")."""
    non_ascii = sum(1 for ch in latin if ord(ch) > 127)
    in_runs = sum(len(run) for run in _NON_ASCII_RUN.findall(latin))
    return non_ascii >= 2 and in_runs >= 0.7 * non_ascii


def guess_decode(data: bytes, hints: tuple[str, ...] = ()) -> str:
    """Undeclared 8-bit text (a raw header): UTF-8 if valid (or cut in its last character);
    else the first charset the message declares that decodes it strictly; else, when
    windows-1252 would give runs of accented letters, the charset the detector
    (charset-normalizer) finds among the common non-Western ones; else windows-1252."""
    text, used = fallback_decode(data)
    if used == "utf-8":
        return text
    cut = _utf8_cut(data)
    if cut is not None:
        return cut
    for hint in hints:
        codec = resolve(normalise_label(hint))
        if codec is None or codec in _WESTERN or codec == "utf-8":
            continue
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
    if not _looks_multibyte(text):
        return text
    best = charset_normalizer.from_bytes(
        data[:_MAX_GUESSED_BYTES], cp_isolation=list(_GUESSED)
    ).best()
    if best is None:
        return text
    try:
        guessed = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError, ValueError):
        return text
    if best.encoding in ("euc_kr", "cp949") and _IDEOGRAPH.search(guessed):
        # GB2312 bytes are valid EUC-KR too, but read as Korean they mix in Chinese characters.
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            pass
    return guessed


def raw_header_text(value: str, hints: tuple[str, ...] = ()) -> str:
    """A header value as the ``email`` package hands it (8-bit bytes as lone surrogates) turned
    into text (``guess_decode``; ``hints``: the charsets the message declares)."""
    if value.isascii() or _RAW_BYTE.search(value) is None:
        return value
    return guess_decode(to_bytes(value), hints)


def to_bytes(value: str) -> bytes:
    """Undo the ``email`` package's decoding: code points < 256 and surrogate-escaped bytes
    become those bytes; anything else is encoded as UTF-8."""
    try:
        return value.encode("ascii", errors="surrogateescape")
    except UnicodeEncodeError:
        pass
    out = bytearray()
    for ch in value:
        code = ord(ch)
        if code < 256:
            out.append(code)
        elif 0xDC80 <= code <= 0xDCFF:
            out.append(code - 0xDC00)
        else:
            out += ch.encode("utf-8", errors="replace")
    return bytes(out)


_SNIFF = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]{1,40})", re.I)


def sniff_html_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in a ``<meta>`` near its start, if any."""
    match = _SNIFF.search(data[:4096])
    return match[1].decode("ascii") if match else None
