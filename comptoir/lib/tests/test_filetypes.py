import io
import zipfile

import pytest

from comptoir.lib.filetypes import check_file

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n1 0 obj\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"
GIF = b"GIF89a\x01\x00\x01\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
RTF = b"{\\rtf1\\ansi Bonjour}"


def zip_bytes(names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


def check(data: bytes, name: str):
    return check_file(io.BytesIO(data), name, len(data))


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (PNG, "screenshot.PNG", "image/png"),
        (PDF, "facture.pdf", "application/pdf"),
        (JPEG, "photo.jpg", "image/jpeg"),
        (JPEG, "photo.jpeg", "image/jpeg"),
        (GIF, "anim.gif", "image/gif"),
        (WEBP, "img.webp", "image/webp"),
        (DOC, "lettre.doc", "application/msword"),
        (RTF, "note.rtf", "application/rtf"),
        ("Bonjour, voici ma référence.".encode(), "note.txt", "text/plain"),
        ("Buenos días".encode("cp1252"), "nota.txt", "text/plain"),
        (zip_bytes(["a.txt"]), "photos.zip", "application/zip"),
        (zip_bytes(["[Content_Types].xml", "word/document.xml"]), "cv.docx", None),
    ],
)
def test_allowed_files_whose_content_matches_their_name(data, name, content_type):
    verdict = check(data, name)
    assert verdict.ok, verdict
    if content_type:
        assert verdict.content_type == content_type


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"<html><script>alert(1)</script></html>", "image.png", "content"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "invoice.pdf", "content"),
        (b"<svg onload=alert(1)>", "notes.txt", "content"),
        (b"<!DOCTYPE html><p>hi</p>", "notes.txt", "content"),
        (PNG, "notes.txt", "content"),
        (zip_bytes(["a.txt"]), "cv.docx", "content"),
        (PDF, "report.exe", "extension"),
        (PDF, "page.html", "extension"),
        (PDF, "pdf", "extension"),
        (PDF, ".pdf", "extension"),
        (b"", "empty.txt", "empty"),
    ],
)
def test_refused_files_say_why(data, name, reason):
    verdict = check(data, name)
    assert not verdict.ok
    assert verdict.reason == reason
