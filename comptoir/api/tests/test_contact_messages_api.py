"""POST /api/v1/contact-messages: the contact form's rules, spam limits and e-mails, for a shop
with its own front end."""

import base64

import pytest
from django.core.cache import cache

from comptoir.api.tests.conftest import errors_of
from comptoir.testing import default_contact, make_customer, make_order
from comptoir.threads.emails import subject_markers
from comptoir.threads.models import (
    Contact,
    DeskSettings,
    EmailKind,
    Message,
    OutboundEmail,
    Source,
    Thread,
)

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()


def message(**changes):
    body = {
        "contact_id": default_contact().pk,
        "email": "Alice@Example.com",
        "message": "Hello, where is my parcel?",
        "language": "fr",
        "customer_ip": "198.51.100.7",
    }
    return {**body, **changes}


def test_a_message_opens_a_thread_and_sends_the_same_emails_as_the_form(api):
    Contact.objects.filter(pk=default_contact().pk).update(email="care@shop.test")
    response = api.post("/contact-messages", message())
    assert response.status_code == 201
    body = response.json()
    assert body["duplicate"] is False
    thread = Thread.objects.get(pk=body["thread_id"])
    assert (thread.email, thread.language) == ("alice@example.com", "fr")
    first = thread.messages.get()
    assert (first.source, first.ip_address) == (Source.FORM, "198.51.100.7")
    kinds = set(OutboundEmail.objects.filter(thread=thread).values_list("kind", flat=True))
    assert kinds == {EmailKind.NOTIFICATION, EmailKind.CONFIRMATION}
    confirmation = OutboundEmail.objects.get(kind=EmailKind.CONFIRMATION)
    assert f"{subject_markers(thread)}" in confirmation.subject
    assert thread.is_unread


def test_a_second_message_with_only_an_address_opens_a_new_thread(api):
    first = api.post("/contact-messages", message()).json()["thread_id"]
    second = api.post("/contact-messages", message(message="And my invoice?")).json()
    assert second["thread_id"] != first
    assert Thread.objects.get(pk=first).messages.count() == 1


def test_a_signed_in_customers_message_joins_their_open_thread(api):
    alice = make_customer("Alice", email="alice@example.com")
    alice.external_id = "C-1"
    alice.save(update_fields=["external_id"])
    first = api.post("/contact-messages", message(customer="C-1")).json()["thread_id"]
    assert Thread.objects.get(pk=first).customer == alice
    second = api.post("/contact-messages", message(customer="C-1", message="Invoice?")).json()
    assert second["thread_id"] == first
    assert Thread.objects.get(pk=first).messages.count() == 2


def test_a_signed_in_customer_must_exist_and_own_the_address(api):
    alice = make_customer("Alice", email="alice@example.com")
    alice.external_id = "C-1"
    alice.save(update_fields=["external_id"])
    unknown = api.post("/contact-messages", message(customer="C-404"))
    assert unknown.status_code == 422
    assert errors_of(unknown) == {"customer": ["Unknown customer C-404."]}
    other = api.post("/contact-messages", message(customer="C-1", email="mallory@example.com"))
    assert other.status_code == 422
    assert errors_of(other) == {"email": ["This e-mail address is not the customer's."]}
    assert not Thread.objects.exists()


def test_the_same_message_twice_is_stored_once(api):
    first = api.post("/contact-messages", message()).json()
    again = api.post("/contact-messages", message()).json()
    assert again["duplicate"] is True
    assert Thread.objects.get(pk=first["thread_id"]).messages.count() == 1


def test_an_order_reference_must_be_an_order_of_that_address(api):
    alice = make_customer("Alice")
    make_order(alice, reference="XKBKNABJK")
    good = api.post("/contact-messages", message(order_reference="XKBKNABJK")).json()
    thread = Thread.objects.select_related("order").get(pk=good["thread_id"])
    assert thread.order is not None
    assert thread.order.reference == "XKBKNABJK"
    response = api.post(
        "/contact-messages", message(email="mallory@example.com", order_reference="XKBKNABJK")
    )
    assert response.status_code == 422
    assert list(errors_of(response)) == ["order_reference"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"contact_id": 999999}, "contact_id"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 10_001}, "message"),
        ({"language": "de"}, "language"),
        ({"customer_ip": "300.1.1.1"}, "customer_ip"),
        ({"email": "a@example.com\r\nBcc: victim@example.com"}, "email"),
    ],
)
def test_bad_input_is_a_field_error_and_stores_nothing(api, changes, field):
    response = api.post("/contact-messages", message(**changes))
    assert response.status_code == 422
    assert field in errors_of(response)
    assert not Thread.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_an_attachment_is_checked_by_content_as_on_the_form(api):
    good = {"name": "photo.png", "content_base64": base64.b64encode(PNG).decode()}
    body = api.post("/contact-messages", message(attachment=good)).json()
    stored = Thread.objects.get(pk=body["thread_id"]).messages.get().attachments.get()
    assert (stored.original_name, stored.content_type) == ("photo.png", "image/png")
    html = base64.b64encode(b"<html><script>alert(1)</script></html>").decode()
    response = api.post(
        "/contact-messages",
        message(email="bob@example.com", attachment={"name": "photo.png", "content_base64": html}),
    )
    assert response.status_code == 422
    assert list(errors_of(response)) == ["attachment"]


def test_attachments_are_refused_when_uploads_are_off(api):
    DeskSettings.objects.update_or_create(pk=1, defaults={"allow_file_uploads": False})
    attachment = {"name": "photo.png", "content_base64": base64.b64encode(PNG).decode()}
    response = api.post("/contact-messages", message(attachment=attachment))
    assert response.status_code == 422
    assert list(errors_of(response)) == ["attachment"]
    assert not Thread.objects.exists()


def test_too_many_messages_from_one_address_are_refused(api, settings):
    settings.COMPTOIR_CONTACT_RATE_PER_EMAIL = 2
    for n in range(2):
        assert api.post("/contact-messages", message(message=f"Message {n}")).status_code == 201
    response = api.post("/contact-messages", message(message="Message 3"))
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert Message.objects.count() == 2


def test_the_ip_limit_counts_the_customers_ip_not_the_shops_server(api, settings):
    settings.COMPTOIR_CONTACT_RATE_PER_IP = 1
    assert api.post("/contact-messages", message(email="a@example.com")).status_code == 201
    same_ip = api.post("/contact-messages", message(email="b@example.com"))
    assert same_ip.status_code == 429
    no_ip = message(email="c@example.com")
    del no_ip["customer_ip"]
    assert api.post("/contact-messages", no_ip).status_code == 201


def test_a_contact_that_saves_nothing_and_has_no_address_cannot_take_messages(api):
    contact = Contact.objects.create(name={"en": "Press"}, save_messages=False)
    response = api.post("/contact-messages", message(contact_id=contact.pk))
    assert response.status_code == 422
    assert response.json()["code"] == "cannot_deliver"
    assert not OutboundEmail.objects.exists()


def test_a_contact_that_saves_nothing_gets_the_message_by_email_only(api):
    contact = Contact.objects.create(
        name={"en": "Press"}, save_messages=False, email="press@shop.test"
    )
    body = api.post("/contact-messages", message(contact_id=contact.pk)).json()
    assert body["thread_id"] is None
    assert not Thread.objects.exists()
    assert OutboundEmail.objects.get().to_email == "press@shop.test"
