"""What a file really is, from its first bytes, checked against the name it came with.

Only the types a shop's customer needs to send are accepted: txt, rtf, doc, docx, pdf, zip, png,
jpeg/jpg, gif, webp. A file whose content does not match its extension (a ``.png`` that is HTML,
an executable renamed ``.pdf``) is refused.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO

ALLOWED_EXTENSIONS = (
    "txt",
    "rtf",
    "doc",
    "docx",
    "pdf",
    "zip",
    "png",
    "jpeg",
    "jpg",
    "gif",
    "webp",
)

CONTENT_TYPES = {
    "txt": "text/plain",
    "rtf": "application/rtf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}

# Text that a browser or a mail client could take for markup or script.
_ACTIVE_TEXT = (
    b"<!doctype",
    b"<html",
    b"<script",
    b"<svg",
    b"<?xml",
    b"<body",
    b"<iframe",
    b"<?php",
)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    extension: str = ""
    content_type: str = ""
    reason: str = ""  # "extension", "content", "empty"


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _sniff(head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    return ""


def _is_plain_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith(_ACTIVE_TEXT):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 4:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def _is_docx(stream: IO[bytes]) -> bool:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        stream.seek(0)
    return "[Content_Types].xml" in names and any(n.startswith("word/") for n in names)


def check_file(stream: IO[bytes], name: str, size: int) -> Verdict:
    """Accept the file only when its name and its content agree on an allowed type."""
    extension = extension_of(name)
    if extension not in ALLOWED_EXTENSIONS:
        return Verdict(False, extension, reason="extension")
    if size <= 0:
        return Verdict(False, extension, reason="empty")
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    detected = _sniff(head)
    expected = "jpeg" if extension == "jpg" else extension
    if expected == "txt":
        matches = detected == "" and _is_plain_text(head)
    elif expected == "docx":
        matches = detected == "zip" and _is_docx(stream)
    else:
        matches = detected == expected
    if not matches:
        return Verdict(False, extension, reason="content")
    return Verdict(True, extension, CONTENT_TYPES[extension])


# What a download may keep as its type: images that cannot carry script, and PDF. Anything else
# (HTML, SVG, text, office files…) is served as bytes to save, whatever it was declared as.
SAFE_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
OPAQUE_TYPE = "application/octet-stream"


def served_type(head: bytes, declared: str) -> str:
    """The Content-Type to serve a stored file with: its declared type when that is on
    ``SAFE_TYPES`` and the first bytes show that very type, else ``application/octet-stream``."""
    declared = declared.split(";", 1)[0].strip().lower()
    expected = SAFE_TYPES.get(declared)
    if expected is not None and _sniff(head) == expected:
        return declared
    return OPAQUE_TYPE
