"""What keeps an employee's account and the desk's files safe (issue 17, point 12): desk pages
are never cached, attachments are never shown as a page, and an employee who was deactivated
comes back without their old sessions."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from comptoir.testing import PASSWORD, default_contact, logged_in_client, make_thread
from comptoir.threads.arrivals import thread_open
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import Attachment, Source
from comptoir.threads.storage import attachment_file_store

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(
    "path", ["/desk/", "/desk/login/", "/desk/preferences/", "/desk/employees/"]
)
def test_desk_pages_tell_browsers_and_proxies_not_to_store_them(charlie, path):
    client = logged_in_client(charlie) if path != "/desk/login/" else Client()
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_thread_page_is_not_stored_either(bob):
    thread = make_thread()
    response = logged_in_client(bob).get(f"/desk/threads/{thread.pk}/")
    assert "no-store" in response["Cache-Control"]


def _attachment(content: bytes, name: str, content_type: str) -> Attachment:
    stored = attachment_file_store(
        content=ContentFile(content), original_name=name, content_type=content_type
    )
    _thread, message = thread_open(
        email="alice@example.com",
        incoming=CustomerMessage(text="See the file", source=Source.EMAIL),
        language="en",
        contact=default_contact(),
        attachments=[stored],
    )
    return message.attachments.get()


@pytest.mark.parametrize(
    ("content", "name", "declared"),
    [
        (b"<html><script>alert(1)</script></html>", "page.html", "text/html"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
            "a.svg",
            "image/svg+xml",
        ),
        (b"<html><script>alert(1)</script></html>", "photo.png", "image/png"),
        (b"hello", "notes.txt", "text/plain"),
        (b"MZ\x90\x00", "setup.pdf", "application/pdf"),
    ],
)
def test_an_attachment_not_proven_safe_is_served_as_bytes_to_save(bob, content, name, declared):
    attachment = _attachment(content, name, declared)
    response = logged_in_client(bob).get(f"/desk/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("content", "declared"),
    [
        (PNG, "image/png"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"GIF89a" + b"\x00" * 8, "image/gif"),
    ],
)
def test_an_image_or_pdf_whose_bytes_match_its_type_keeps_its_type(bob, content, declared):
    attachment = _attachment(content, "file", declared)
    response = logged_in_client(bob).get(f"/desk/attachments/{attachment.pk}/")
    assert response["Content-Type"] == declared
    assert response["Content-Disposition"].startswith("attachment;")


def test_reactivating_an_employee_does_not_revive_their_old_sessions(charlie, bob):
    bobs_browser = Client()
    assert (
        bobs_browser.post("/desk/login/", {"email": bob.email, "password": PASSWORD}).status_code
        == 302
    )
    admin = logged_in_client(charlie)
    admin.post(f"/desk/employees/{bob.pk}/active/", {"active": "0"})
    admin.post(f"/desk/employees/{bob.pk}/active/", {"active": "1"})
    response = bobs_browser.get("/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/desk/login/")
