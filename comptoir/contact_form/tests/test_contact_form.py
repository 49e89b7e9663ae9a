"""The public contact form: every rule, every bad input (REFERENCE A1–A5, B2, B3)."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from comptoir.contact_form.forms import form_token
from comptoir.testing import default_contact, make_customer, make_order, make_thread
from comptoir.threads import services
from comptoir.threads.emails import subject_markers
from comptoir.threads.models import (
    Contact,
    DeskSettings,
    EmailKind,
    Message,
    OutboundEmail,
    RateCounter,
    Status,
    Thread,
)

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()
    RateCounter.objects.all().delete()


def aged_token(seconds: float = 10) -> str:
    with mock.patch("time.time", return_value=time.time() - seconds):
        return form_token()


def post(client, data=None, url="/contact/", lang="en", ip="198.51.100.7", **extra):
    payload = {
        "contact": default_contact().pk,
        "email": "alice@example.com",
        "order_reference": "",
        "message": "Hello, where is my parcel?",
        "website": "",
        "form_token": aged_token(),
        **(data or {}),
    }
    payload = {key: value for key, value in payload.items() if value is not None}
    return client.post(
        f"{url}?lang={lang}",
        payload,
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        **extra,
    )


def body(response):
    return response.content.decode()


# --- the page ------------------------------------------------------------------------------------


def test_the_form_lists_contacts_by_position_with_their_descriptions(client):
    Contact.objects.filter(name__en="Webmaster").update(position=5)
    page = body(client.get("/contact/"))
    assert page.index("Customer service") < page.index("Webmaster")
    assert "For any question about a product, an order" in page
    for label in ("Subject heading", "Email address", "Order reference", "Attach file", "Message"):
        assert label in page


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", ["Envoyer un message", "Service client", "Adresse e-mail", "Pièce jointe"]),
        (
            "es",
            [
                "Enviar un mensaje",
                "Servicio de Atención al cliente",
                "Dirección de correo",
                "Adjuntar",
            ],
        ),
    ],
)
def test_the_form_speaks_the_language_chosen_in_the_url(client, lang, words):
    page = body(client.get(f"/contact/?lang={lang}"))
    for word in words:
        assert word in page
    assert f'lang="{lang}"' in page


def test_the_browser_language_is_used_when_none_is_chosen(client):
    page = body(client.get("/contact/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9"))
    assert "Enviar un mensaje" in page


def test_no_file_field_when_uploads_are_off(client):
    DeskSettings.objects.update_or_create(pk=1, defaults={"allow_file_uploads": False})
    assert 'type="file"' not in body(client.get("/contact/"))


# --- what happens on send ------------------------------------------------------------------------


def test_a_message_opens_a_thread_and_queues_the_two_emails(client):
    customer = make_customer("Alice", email="alice@example.com", language="fr")
    response = post(client, lang="fr")
    assert response.status_code == 302
    assert response["Location"] == "/contact/sent/?lang=fr"
    thread = Thread.objects.get()
    assert (thread.email, thread.language, thread.status) == ("alice@example.com", "fr", "open")
    assert thread.customer == customer
    assert thread.contact == default_contact()
    message = thread.messages.get()
    assert message.text == "Hello, where is my parcel?"
    assert message.ip_address == "198.51.100.7"
    assert "Firefox" in message.user_agent
    notification = OutboundEmail.objects.get(kind=EmailKind.NOTIFICATION)
    assert notification.to_email == default_contact().email
    assert notification.reply_to == "alice@example.com"
    assert notification.is_internal
    assert "Hello, where is my parcel?" in notification.body_text
    confirmation = OutboundEmail.objects.get(kind=EmailKind.CONFIRMATION)
    assert confirmation.to_email == "alice@example.com"
    assert confirmation.subject == (f"Votre message a bien été envoyé {subject_markers(thread)}")
    assert f"/contact/t/{thread.link_secret}/?lang=fr" in confirmation.body_text
    # The customer's text is not repeated in the confirmation: the form cannot relay spam.
    assert "where is my parcel" not in confirmation.body_text


def test_the_success_page_says_the_message_was_sent(client):
    response = post(client)
    page = body(client.get(response["Location"]))
    assert "Your message has been successfully sent to our team." in page


def test_a_guest_address_is_not_linked_to_a_guest_account(client):
    make_customer("Gaston", email="alice@example.com", guest=True)
    post(client)
    assert Thread.objects.get().customer is None


def test_a_second_message_from_a_typed_address_opens_a_new_thread(client, bob):
    post(client)
    thread = Thread.objects.get()
    services.thread_set_status(thread=thread, employee=bob, status=Status.PENDING1)
    post(client, {"message": "Any news?"})
    thread.refresh_from_db()
    assert Thread.objects.count() == 2
    assert thread.status == Status.PENDING1
    assert thread.messages.count() == 1


def test_a_stranger_typing_a_customers_address_cannot_touch_their_closed_thread(client, bob):
    """The reviewed attack: posting as the customer's address used to reopen their closed
    thread, move it to another contact and language, and add the text as theirs."""
    sales, support = Contact.objects.order_by("position", "id")[:2]
    post(client, {"contact": sales.pk}, lang="fr")
    thread = Thread.objects.get()
    services.thread_reply(thread=thread, employee=bob, text="Sent today.")
    post(
        client,
        {"contact": support.pk, "message": "Refund to IBAN FR76 0000"},
        lang="es",
        ip="203.0.113.9",
    )
    thread.refresh_from_db()
    assert (thread.status, thread.contact, thread.language) == (Status.CLOSED, sales, "fr")
    assert not thread.messages.filter(text__contains="IBAN").exists()
    stranger = Thread.objects.exclude(pk=thread.pk).get()
    assert stranger.messages.get().text == "Refund to IBAN FR76 0000"
    assert (stranger.contact, stranger.language) == (support, "es")


def test_another_order_means_another_thread(client):
    alice = make_customer("Alice", email="alice@example.com")
    make_order(alice, reference="AAAAAAAAA")
    post(client)
    post(client, {"order_reference": "aaaaaaaaa", "message": "About my order"})
    assert Thread.objects.count() == 2
    assert Thread.objects.filter(order__reference="AAAAAAAAA").exists()


def test_the_conversation_link_always_joins_its_thread(client, bob):
    thread = make_thread(email="alice@example.com")
    services.thread_reply(thread=thread, employee=bob, text="Answer")
    Thread.objects.filter(pk=thread.pk).update(last_message_at=timezone.now() - timedelta(days=90))
    response = post(client, {"message": "Back again"}, url=f"/contact/t/{thread.link_secret}/")
    assert response.status_code == 302
    assert Thread.objects.count() == 1
    assert thread.messages.filter(text="Back again").exists()


def test_the_link_keeps_the_threads_address_whatever_is_posted(client):
    thread = make_thread(email="alice@example.com")
    post(client, {"email": "mallory@example.com"}, url=f"/contact/t/{thread.link_secret}/")
    assert Thread.objects.count() == 1
    assert not Thread.objects.filter(email="mallory@example.com").exists()


def test_a_contact_that_does_not_save_messages_only_gets_the_email(client):
    contact = default_contact()
    contact.save_messages = False
    contact.save()
    assert post(client).status_code == 302
    assert not Thread.objects.exists()
    (email,) = OutboundEmail.objects.all()
    assert email.kind == EmailKind.NOTIFICATION
    assert email.reply_to == "alice@example.com"


@pytest.mark.parametrize(
    ("lang", "truth", "untrue"),
    [
        ("en", "No confirmation e-mail is sent", "We have sent you a confirmation e-mail"),
        ("fr", "Aucun e-mail de confirmation", "Nous vous avons envoyé un e-mail de confirmation"),
        ("es", "No se envía ningún correo", "Le hemos enviado un correo de confirmación"),
    ],
)
def test_the_thank_you_page_of_a_contact_that_saves_nothing_promises_no_confirmation(
    client, lang, truth, untrue
):
    Contact.objects.filter(pk=default_contact().pk).update(save_messages=False)
    response = post(client, lang=lang)
    page = body(client.get(response["Location"]))
    assert truth in page
    assert untrue not in page
    assert not OutboundEmail.objects.filter(kind=EmailKind.CONFIRMATION).exists()


def test_the_thank_you_page_of_a_contact_that_saves_promises_the_confirmation_it_sends(client):
    response = post(client)
    page = body(client.get(response["Location"]))
    assert "We have sent you a confirmation e-mail with a link" in page
    assert OutboundEmail.objects.filter(kind=EmailKind.CONFIRMATION).count() == 1


def test_a_contact_without_address_that_saves_nothing_cannot_receive(client):
    contact = default_contact()
    contact.save_messages, contact.email = False, ""
    contact.save()
    response = post(client)
    assert response.status_code == 200
    assert "could not be sent" in body(response)
    assert not OutboundEmail.objects.exists()
    assert not Thread.objects.exists()


def test_a_double_submit_is_stored_and_sent_once(client, store_backend):
    token = aged_token()
    post(client, {"form_token": token})
    post(client, {"form_token": token})
    assert Message.objects.count() == 1
    assert OutboundEmail.objects.count() == 2  # one notification, one confirmation


def test_the_same_text_after_the_window_is_a_new_message(client):
    post(client)
    Message.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    cache.clear()
    RateCounter.objects.all().delete()
    post(client)
    assert Message.objects.count() == 2


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": "not-an-address"}, "Invalid email address."),
        ({"email": "alice@example.com\r\nBcc: victim@example.org"}, "Invalid email address."),
        ({"email": ""}, "Invalid email address."),
        ({"message": "   "}, "The message cannot be blank."),
        ({"message": "x" * 10_001}, "The message is too long: 10001 characters, 10000 at most."),
        ({"contact": "999999"}, "Please select a subject from the list provided."),
        ({"contact": ""}, "Please select a subject from the list provided."),
    ],
)
def test_each_bad_field_has_its_own_message_and_nothing_is_stored(client, data, error):
    response = post(client, data)
    assert response.status_code == 400
    assert error in body(response)
    assert not Thread.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_typed_values_stay_after_an_error(client):
    response = post(client, {"email": "bad", "message": "Mon colis est abîmé"})
    page = body(response)
    assert 'value="bad"' in page
    assert "Mon colis est abîmé" in page


def test_errors_are_translated(client):
    response = post(client, {"email": "bad", "message": ""}, lang="es")
    page = body(response)
    assert "Dirección de correo electrónico no válida." in page
    assert "El mensaje no puede estar vacío." in page


def test_an_order_of_someone_else_is_refused_like_an_order_that_does_not_exist(client):
    bob_customer = make_customer("Bobby", email="bobby@example.com")
    make_order(bob_customer, reference="BOBBYORDR")
    someone_elses = body(post(client, {"order_reference": "BOBBYORDR"}))
    nonexistent = body(post(client, {"order_reference": "NOSUCHONE"}))
    message = "This order reference does not match your e-mail address."
    assert message in someone_elses
    assert message in nonexistent
    assert not Thread.objects.exists()


# --- attachments ---------------------------------------------------------------------------------


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_an_attachment_is_stored_under_a_random_name_and_sent_to_the_contact(client, settings):
    response = post(client, {"attachment": upload("../../etc/capture\x07.png", PNG, "image/png")})
    assert response.status_code == 302
    message = Message.objects.get()
    (attachment,) = message.attachments.all()
    assert attachment.original_name == "capture.png"
    assert attachment.content_type == "image/png"
    assert attachment.size == len(PNG)
    assert "capture" not in attachment.storage_name
    assert ".." not in attachment.storage_name
    notification = OutboundEmail.objects.get(kind=EmailKind.NOTIFICATION)
    assert list(notification.attachments.all()) == [attachment]


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("invoice.png", b"<html><script>alert(1)</script>", "does not match its name (.png)"),
        ("setup.pdf", b"MZ\x90\x00\x03", "does not match its name (.pdf)"),
        ("page.html", b"<p>hi</p>", "Bad file extension"),
        ("script.php", b"<?php echo 1;", "Bad file extension"),
        ("empty.txt", b"", "The file is empty."),
    ],
)
def test_bad_attachments_are_refused_with_a_clear_message(client, name, data, error):
    response = post(client, {"attachment": upload(name, data)})
    assert response.status_code == 400
    assert error in body(response)
    assert not Message.objects.exists()


def test_a_file_one_byte_over_the_cap_is_refused(client, settings):
    settings.COMPTOIR_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    data = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1 - 9)
    response = post(client, {"attachment": upload("big.pdf", data)})
    assert response.status_code == 400
    assert "The file is too large: 10.0" in body(response)


def test_a_file_at_the_cap_is_accepted(client, settings):
    settings.COMPTOIR_ATTACHMENT_MAX_BYTES = 1024 * 1024
    data = b"%PDF-1.4\n" + b"0" * (1024 * 1024 - 9)
    assert post(client, {"attachment": upload("ok.pdf", data)}).status_code == 302


def test_an_upload_is_ignored_when_uploads_are_off(client):
    DeskSettings.objects.update_or_create(pk=1, defaults={"allow_file_uploads": False})
    assert post(client, {"attachment": upload("a.png", PNG)}).status_code == 302
    assert not Message.objects.get().attachments.exists()


# --- hostile input -------------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_html_is_stored_as_text_and_shown_escaped_everywhere(client, bob):
    post(client, {"message": HOSTILE})
    thread = Thread.objects.get()
    assert thread.messages.get().text == HOSTILE
    client.force_login(bob)
    for url in ("/desk/", f"/desk/threads/{thread.pk}/", f"/contact/t/{thread.link_secret}/"):
        page = body(client.get(url))
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;" in page or "&lt;script&gt;"[:10] in page
    notification = OutboundEmail.objects.get(kind=EmailKind.NOTIFICATION)
    assert HOSTILE in notification.body_text  # plain text e-mail: shown as typed, never as HTML


# --- the conversation link -----------------------------------------------------------------------


def test_the_link_shows_the_conversation_without_private_notes(client, bob):
    thread = make_thread(text="Where is it?")
    services.thread_reply(thread=thread, employee=bob, text="On its way", status_after=Status.OPEN)
    services.thread_note(thread=thread, employee=bob, text="Secret internal remark")
    page = body(client.get(f"/contact/t/{thread.link_secret}/"))
    assert "Where is it?" in page
    assert "On its way" in page
    assert "Secret internal remark" not in page
    assert 'value="alice@example.com"' in page
    assert "readonly" in page


@pytest.mark.parametrize("token", ["A" * 24, "short", "x" * 200, "abc$%def0123456789ab"])
def test_a_wrong_or_malformed_link_says_so_above_the_plain_form(client, token):
    make_thread(text="Private conversation")
    response = client.get(f"/contact/t/{token}/")
    assert response.status_code == 404
    page = body(response)
    assert "Private conversation" not in page
    assert "Your conversation" not in page
    assert "This link to a conversation does not work (any more)." in page
    assert "Send a message" in page


# --- spam and abuse ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"website": "http://spam.example"},
        {"form_token": "forged:token:value"},
        {"form_token": None},
    ],
)
def test_robots_get_a_polite_generic_refusal_and_nothing_is_stored(client, data):
    response = post(client, data)
    assert "Your message could not be sent. Please wait a moment and try again." in body(response)
    assert not Thread.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_an_expired_form_is_refused(client):
    response = post(client, {"form_token": aged_token(3 * 3600)})
    assert "could not be sent" in body(response)
    assert not Thread.objects.exists()


def test_a_form_filled_faster_than_a_person_can_is_refused(client):
    response = post(client, {"form_token": form_token()})
    assert "could not be sent" in body(response)
    assert not Thread.objects.exists()


def test_the_rate_limit_per_ip_holds(client, settings, store_backend):
    settings.COMPTOIR_CONTACT_RATE_PER_IP = 3
    for n in range(3):
        assert post(client, {"email": f"c{n}@example.com"}).status_code == 302
    response = post(client, {"email": "c9@example.com"})
    assert response.status_code == 429
    assert "could not be sent" in body(response)
    assert Thread.objects.count() == 3
    assert post(client, {"email": "c10@example.com"}, ip="198.51.100.8").status_code == 302


def test_the_rate_limit_per_email_holds_across_addresses(client, settings, store_backend):
    settings.COMPTOIR_CONTACT_RATE_PER_EMAIL = 2
    for n in range(2):
        post(client, {"message": f"message {n}"}, ip=f"203.0.113.{n}")
    response = post(client, {"message": "message 3"}, ip="203.0.113.99")
    assert response.status_code == 429
    assert Message.objects.count() == 2


def test_csrf_protection_is_on(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = post(strict)
    assert response.status_code == 403
    assert not Thread.objects.exists()


# --- the employee's side -------------------------------------------------------------------------


def test_attachments_download_only_for_employees_and_never_inline(client, bob):
    post(client, {"attachment": upload("photo.png", PNG, "image/png")})
    attachment = Message.objects.get().attachments.get()
    url = f"/desk/attachments/{attachment.pk}/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/desk/login/")
    client.force_login(bob)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="photo.png"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_the_new_thread_appears_in_the_back_office(client, bob):
    post(client, {"email": "zoe@example.com"})
    client.force_login(bob)
    page = body(client.get("/desk/"))
    assert "zoe@example.com" in page


def test_behind_a_trusted_proxy_each_visitor_has_their_own_rate_limit(client, settings):
    from ipaddress import ip_network

    settings.COMPTOIR_TRUSTED_PROXIES = [ip_network("127.0.0.1/32")]
    settings.COMPTOIR_CONTACT_RATE_PER_IP = 2
    proxy = {"ip": "127.0.0.1"}
    for n in range(2):
        data = {"email": f"c{n}@example.com"}
        assert post(client, data, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 302
    data = {"email": "c3@example.com"}
    assert post(client, data, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 429
    # Another visitor through the same proxy is not held back by the first one.
    data = {"email": "c4@example.com"}
    assert post(client, data, HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy).status_code == 302
    assert Message.objects.filter(ip_address="198.51.100.9").exists()
    # The first visitor cannot escape by writing a header of their own: the proxy appends.
    data = {"email": "c5@example.com"}
    forged = "192.0.2.1, 203.0.113.5"
    assert post(client, data, HTTP_X_FORWARDED_FOR=forged, **proxy).status_code == 429


def test_a_forwarded_header_from_an_untrusted_peer_does_not_move_the_rate_limit(client, settings):
    settings.COMPTOIR_TRUSTED_PROXIES = []
    settings.COMPTOIR_CONTACT_RATE_PER_IP = 2
    for n in range(2):
        post(client, {"email": f"c{n}@example.com"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    data = {"email": "c3@example.com"}
    assert post(client, data, HTTP_X_FORWARDED_FOR="192.0.2.77").status_code == 429
