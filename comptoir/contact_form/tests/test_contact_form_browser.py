"""A customer writes in French through the form in Chromium; the confirmation reaches a real SMTP
server; the conversation link shows the message and lets them write again."""

import re

import pytest

from comptoir.mail.outbox import outbox_deliver
from comptoir.threads.emails import subject_markers
from comptoir.threads.models import Thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_customer_writes_in_french_gets_the_confirmation_and_comes_back(
    live_server, page, smtp, settings, screenshot_dir, tmp_path
):
    settings.COMPTOIR_CONTACT_MIN_FILL_SECONDS = 1
    photo = tmp_path / "colis-abîmé.png"
    photo.write_bytes(PNG)

    page.goto(f"{live_server.url}/contact/?lang=fr")
    page.get_by_role("heading", name="Envoyer un message").wait_for()
    page.get_by_label("Service client").check()
    page.get_by_label("Adresse e-mail").fill("amelie@example.fr")
    page.get_by_label("Pièce jointe").set_input_files(str(photo))
    page.get_by_label("Message", exact=True).fill(
        "Bonjour, mon colis est arrivé abîmé. Photo jointe."
    )
    page.screenshot(path=screenshot_dir / "contact-form-fr.png", full_page=True)
    page.wait_for_timeout(1100)  # a person takes a moment; the form refuses instant robots
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_text("Votre message a bien été envoyé à notre équipe.").wait_for()
    page.screenshot(path=screenshot_dir / "contact-form-fr-sent.png", full_page=True)

    thread = Thread.objects.get()
    assert thread.language == "fr"
    assert thread.messages.get().attachments.get().original_name == "colis-abîmé.png"

    assert outbox_deliver().sent == 2  # the contact's notification and the confirmation
    confirmation = next(m for m in smtp.parsed() if m["To"] == "amelie@example.fr")
    assert (
        confirmation["Subject"].strip()
        == f"Votre message a bien été envoyé {subject_markers(thread)}"
    )
    text = confirmation.get_body(("plain",)).get_content()
    link = re.search(r"http://\S+/contact/t/\w+/\?lang=fr", text)
    assert link, text

    page.goto(link[0].replace("http://testserver", live_server.url))
    page.get_by_role("heading", name="Votre conversation").wait_for()
    assert "mon colis est arrivé abîmé" in page.content()
    page.get_by_label("Message", exact=True).fill("Merci de me répondre rapidement.")
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_text("Votre message a bien été envoyé à notre équipe.").wait_for()
    assert Thread.objects.count() == 1
    assert thread.messages.count() == 2
