"""A Spanish-speaking customer and a French-speaking employee, in Chromium (screenshots kept)."""

import pytest

from comptoir.testing import PASSWORD, make_employee
from comptoir.threads.models import Thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_writes_in_spanish_and_a_french_employee_answers(
    live_server, page, settings, screenshot_dir
):
    settings.COMPTOIR_CONTACT_MIN_FILL_SECONDS = 1
    page.goto(f"{live_server.url}/contact/?lang=es")
    page.get_by_role("heading", name="Enviar un mensaje").wait_for()
    page.get_by_label("Servicio de Atención al cliente").check()
    page.get_by_label("Dirección de correo electrónico").fill("lucia@example.com")
    page.get_by_label("Mensaje", exact=True).fill("Hola, ¿cuándo llega mi pedido?")
    page.screenshot(path=screenshot_dir / "contact-form-es.png", full_page=True)
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="Enviar", exact=True).click()
    page.get_by_text("Su mensaje se ha enviado correctamente a nuestro equipo.").wait_for()
    thread = Thread.objects.get()
    assert thread.language == "es"

    make_employee("Lucie", language="fr", email="lucie@shop.test")
    page.goto(f"{live_server.url}/desk/login/")
    # Same browser: the login page keeps the language the contact form remembered...
    page.get_by_label("Dirección de correo electrónico").fill("lucie@shop.test")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    # ...and once logged in, the back office speaks the employee's language.
    page.get_by_role("heading", name="Service client", exact=True, level=1).wait_for()
    page.goto(f"{live_server.url}/desk/threads/{thread.pk}/")
    page.get_by_role("button", name='Marquer comme "traité"').wait_for()
    # The reply is pre-filled in the thread's language (Spanish), the page in the employee's.
    assert (
        page.get_by_role("textbox", name="Votre réponse")
        .input_value()
        .startswith("Estimado cliente")
    )
    page.screenshot(path=screenshot_dir / "desk-thread-fr.png", full_page=True)
    page.get_by_role("button", name="Envoyer", exact=True).click()
    page.get_by_text("Le message a bien été envoyé au client.").wait_for()
