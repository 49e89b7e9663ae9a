"""The small files customers send with their messages, made here rather than shipped."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Sequence

# What the ".txt" a customer sends holds: a browser console after a failed login.
CONSOLE_LOG = """\
Safari 17.4 (macOS 14.4) - Web Inspector console, after submitting the login form

[Warning] Cookie "PHPSESSID" was rejected because it is in a cross-site context. (login)
[Log] consent-banner.js: storage access denied, retrying in 500 ms
[Log] consent-banner.js: storage access denied, retrying in 500 ms
[Error] Failed to load resource: the server responded with a status of 403 (Forbidden) (login)
[Log] consent-banner.js: giving up after 3 attempts
"""

# The lines of the ".pdf": a bank's notice of a transfer (a French bank, whoever sends it).
TRANSFER_NOTICE = (
    "Banque Exemple - Avis d'opération",
    "",
    "Virement SEPA émis",
    "Donneur d'ordre : {first} {last}",
    "Bénéficiaire : {shop}",
    "Montant : {amount}",
    "Libellé : COMMANDE {ref}",
    "",
    "Ce document ne constitue pas un relevé de compte.",
)

ImageFunction = Callable[[int, int], tuple[int, int, int]]


def png_image(width: int, height: int, pixel: ImageFunction) -> bytes:
    """A true-colour PNG, written chunk by chunk."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        checksum = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", checksum)

    rows = b"".join(
        b"\x00" + bytes(value for x in range(width) for value in pixel(x, y)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def crushed_box(x: int, y: int) -> tuple[int, int, int]:
    """Cardboard with a dark crease across it and a white shipping label."""
    if 30 <= x <= 42 and 4 <= y <= 11:
        return (245, 245, 240)
    if abs((x - 8) - y) <= 1:
        return (92, 60, 30)
    shade = (x * 7 + y * 3) % 9
    return (176 - shade, 132 - shade, 84 - shade)


def pdf_document(lines: Sequence[str]) -> bytes:
    """A one-page PDF (Helvetica, A4) showing ``lines``; offsets and xref computed here."""

    def escape(text: str) -> bytes:
        raw = text.encode("cp1252", errors="replace")
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    content = (
        b"BT /F1 12 Tf 16 TL 56 786 Td "
        + b"".join(b"(" + escape(line) + b") ' " for line in lines)
        + b"ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def attachment_content(name: str, values: dict[str, str]) -> tuple[bytes, str]:
    """The bytes and content type of the file a script's customer sends."""
    if name.endswith(".png"):
        return png_image(48, 36, crushed_box), "image/png"
    if name.endswith(".pdf"):
        return pdf_document([line.format_map(values) for line in TRANSFER_NOTICE]), (
            "application/pdf"
        )
    return CONSOLE_LOG.encode(), "text/plain"
