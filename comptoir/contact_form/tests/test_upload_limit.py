"""A body larger than any real request is refused at its declared length, before it is read
(issue 17, point 11): a 200 MB anonymous upload costs the server nothing."""

from __future__ import annotations

import json
import select
import socket
import time
import urllib.request
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

pytestmark = pytest.mark.django_db

TOO_BIG = 200 * 1024 * 1024


def declared(client: Client, path: str, length: int, **extra: Any):
    """A POST whose Content-Length says ``length`` while only a few bytes follow."""
    return client.generic(
        "POST",
        path,
        b"x" * 16,
        content_type="multipart/form-data; boundary=zzz",
        CONTENT_LENGTH=str(length),
        **extra,
    )


def test_the_contact_form_refuses_a_body_declared_too_large_with_a_clear_page():
    response = declared(Client(), "/contact/?lang=fr", TOO_BIG, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 413
    html = response.content.decode()
    assert "La requête est trop volumineuse" in html


def test_the_api_refuses_a_body_declared_too_large_in_json():
    response = declared(Client(), "/api/v1/contact-messages", TOO_BIG)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_contact_form_with_a_file_at_the_attachment_limit_is_not_refused_for_its_size():
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * settings.COMPTOIR_ATTACHMENT_MAX_BYTES)

    response = Client().post("/contact/", {"email": "a@example.com", "attachment": upload})

    assert response.status_code == 400  # the form's own errors: no message, file too large
    assert "The file is too large" in response.content.decode()


def csrf_token(host: str, port: int) -> str:
    """The CSRF cookie a visitor gets with the form: with it, the token check reads the body."""
    with urllib.request.urlopen(f"http://{host}:{port}/contact/", timeout=10) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    for cookie in cookies:
        name, _, rest = cookie.partition("=")
        if name == settings.CSRF_COOKIE_NAME:
            return str(rest.split(";", 1)[0])
    raise AssertionError(f"no CSRF cookie in {cookies}")


def stream(host: str, port: int, path: str, *, declared_bytes: int, give_up_after: int):
    """POST ``declared_bytes`` of multipart body, sending 256 kB at a time until the server
    answers or closes, or ``give_up_after`` bytes were sent. (bytes sent, first answer line,
    seconds)."""
    boundary = "----comptoir"
    token = csrf_token(host, port)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Cookie: {settings.CSRF_COOKIE_NAME}={token}\r\nX-CSRFToken: {token}\r\n"
        f"Origin: http://{host}:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {declared_bytes}\r\nConnection: close\r\n\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachment"; '
        f'filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    chunk = b"\0" * (256 * 1024)
    started = time.monotonic()
    sent = 0
    answer = b""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head)
        while sent < give_up_after:
            readable, writable, _ = select.select([sock], [sock], [], 5)
            if readable:
                try:
                    answer = sock.recv(200)
                except ConnectionResetError:
                    answer = b"(reset)"
                break
            if not writable:
                break
            try:
                sent += sock.send(chunk)
            except (BrokenPipeError, ConnectionResetError):
                answer = b"(closed)"
                break
    return sent, answer.split(b"\r\n", 1)[0].decode(errors="replace"), time.monotonic() - started


@pytest.mark.parametrize("path", ["/contact/", "/api/v1/contact-messages"])
def test_a_streamed_200_mb_upload_is_stopped_at_its_declared_length(live_server, path):
    """Against a real server: the answer comes while the client has sent no more than what the
    socket buffers hold, not after 200 MB were read."""
    host, port = live_server.url.removeprefix("http://").split(":")

    sent, first_line, seconds = stream(
        host, int(port), path, declared_bytes=TOO_BIG, give_up_after=64 * 1024 * 1024
    )

    assert first_line in {"HTTP/1.1 413 Request Entity Too Large", "(reset)", "(closed)"}, (
        first_line
    )
    assert sent < 32 * 1024 * 1024, f"{sent} bytes read before the refusal"
    assert seconds < 5


def test_the_api_json_refusal_is_in_the_callers_language():
    response = declared(Client(), "/api/v1/contact-messages", TOO_BIG, HTTP_ACCEPT_LANGUAGE="es")

    assert json.loads(response.content)["message"] == "La solicitud es demasiado grande."
