"""A thread opened by an e-mail gets the language its customer wrote in, among the shop's
languages; when the text is too short or too mixed to tell, the shop's default language."""

import pytest

from comptoir.lib.language import language_detect
from comptoir.mail.tests.test_process import mail, receive

pytestmark = pytest.mark.django_db

FRENCH = """Bonjour,

J'ai passé commande il y a deux semaines (référence XKBKNABJK) et je n'ai toujours rien reçu.
Le suivi indique que le colis est bloqué au dépôt depuis jeudi. Pourriez-vous vérifier auprès
du transporteur et me dire quand je peux espérer le recevoir ?

Merci d'avance,
Amélie Dupont
"""

SPANISH = """Hola:

Recibí el pedido ayer, pero la camiseta es de una talla más pequeña que la que pedí.
¿Puedo cambiarla por una talla M? Si tengo que devolverla, ¿me enviáis una etiqueta?

Un saludo,
Javier Ruiz
"""


@pytest.mark.parametrize(
    ("subject", "body", "language"),
    [
        ("Commande non reçue", FRENCH, "fr"),
        ("Cambio de talla", SPANISH, "es"),
        ("Where is my parcel?", "Hello, my order has not arrived yet. Could you check?", "en"),
    ],
)
def test_a_new_thread_from_an_email_gets_the_language_it_was_written_in(subject, body, language):
    inbound = receive(mail(sender="nouveau@example.com", subject=subject, body=body))
    assert inbound.thread is not None
    assert inbound.thread.language == language


def test_a_text_too_short_to_tell_gets_the_shops_default_language(settings):
    settings.LANGUAGE_CODE = "fr"
    inbound = receive(mail(sender="court@example.com", subject="?", body="Merci"))
    assert inbound.thread is not None
    assert inbound.thread.language == "fr"


def test_detection_chooses_only_among_the_shops_languages():
    german = "Guten Tag, ich habe meine Bestellung noch nicht erhalten. Können Sie das prüfen?"
    assert language_detect(german, among=["en", "fr", "es"], default="en") in {"en", "fr", "es"}
    assert language_detect("", among=["en", "fr", "es"], default="es") == "es"
    assert language_detect(FRENCH, among=["en", "es"], default="en") in {"en", "es"}
