"""The labels the user guide names say the guide's words, in French and in Spanish.

The guide is PrestaShop's customer-service chapter (`../shared/reference/seed-docs/`:
`service-client-fr.md`, `servicio-cliente-es.md`). Each row is an English msgid and the label the
guide gives it; None where the guide names no such label in that language, or where DECISIONS
("Issue 19: the guide's words") says why comptoir writes it otherwise.
"""

import pytest
from django.utils import translation

from comptoir.testing import make_customer, make_order, make_thread
from comptoir.threads.defaults import DEFAULT_CONTACTS

GUIDE_LABELS: list[tuple[str, str | None, str | None]] = [
    # The customer service page and its boxes
    ("Customer Service", "Service client", "Servicio al cliente"),
    ("Meaning of status", "Signification de l'état", "Significado del estado"),
    ("Statistics", "Statistiques", "Estadísticas"),
    ("Contact options", "Options de contact", "Opciones de contacto"),
    (
        "Allow file uploading",
        "Autoriser la mise en ligne de fichiers",
        "Autorizar el envío de archivos",
    ),
    ("Default message", "Message par défaut", "Mensaje predefinido"),
    ("Order Messages", "Messages prédéfinis", "Mensajes predefinidos"),
    # Contacts (the guide's Spanish page is "Contacto", a PrestaShop menu that also holds the
    # stores; ours lists contacts only)
    ("Contacts", "Contacts", None),
    ("Save messages?", "Enregistrer les messages ?", "¿Guardar mensaje en Servicio al cliente?"),
    # A thread: its states and actions
    ("Open", "Ouvert", "Abierto"),
    ("Closed", "Terminé", "Cerrado"),
    ('Mark as "handled"', 'Marquer comme "traité"', 'Marcar como "gestionado"'),
    ("Re-open", "Réouvrir", "Reabrir"),
    ('Mark as "pending 1"', 'Marquer comme "en attente 1"', 'Marcar como "pendiente 1"'),
    ('Mark as "pending 2"', 'Marquer comme "en attente 2"', 'Marcar como "pendiente 2"'),
    (
        "Forward this discussion to another employee",
        "Transférer cette discussion à un autre employé",
        "Enviar esta discusión a otro empleado",
    ),
    ("Someone else", "Quelqu'un d'autre", "Otra persona"),
    (
        "Reply to the next unanswered message",
        "Répondre au prochain message de cette conversation qui n'a pas encore de réponse",
        "Responder al siguiente mensaje sin respuesta en este hilo",
    ),
    ("Send", "Envoyer", "Enviar"),
    (
        "Orders and messages history",
        "Historique des commandes et des messages",
        "Pedidos e históricos de mensajes",
    ),
    # The mailbox: "Customer service options" in the guide
    ("Customer service options", "Options du service client", "Opciones de servicio al cliente"),
    ("IMAP URL", "URL IMAP", "Enlace IMAP"),
    ("IMAP port", "Port IMAP", "Puerto IMAP"),
    ("IMAP user", "Utilisateur IMAP", "Usuario IMAP"),
    ("IMAP password", "Mot de passe IMAP", "Contraseña IMAP"),
    # French guide: "Supprime les messages", read as a slip for the infinitive of every other
    # option label ("Créer de nouveaux sujets", "Autoriser …").
    ("Delete messages", None, "Eliminar mensajes"),
    ("Create new threads", "Créer de nouveaux sujets", "Crear nuevos hilos"),
    # Unmatched mail: the guide's "mensajes de correo electrónico no reconocidos", not to be
    # confused with "Asignado a" (assigned to)
    ("Unmatched mail", None, "Correos no reconocidos"),
]


# Only the labels the guide names in that language (None: it names none).
GUIDE_WORDS = [
    (language, msgid, word)
    for msgid, fr, es in GUIDE_LABELS
    for language, word in (("fr", fr), ("es", es))
    if word is not None
]


@pytest.mark.parametrize(
    ("language", "msgid", "expected"),
    GUIDE_WORDS,
    ids=[f"{language}-{msgid}" for language, msgid, _word in GUIDE_WORDS],
)
def test_the_catalogue_holds_the_guides_label(language, msgid, expected):
    with translation.override(language):
        assert translation.gettext(msgid) == expected


def test_the_default_contacts_have_the_guides_names():
    names = [contact["name"] for contact in DEFAULT_CONTACTS]
    assert names == [
        {"en": "Webmaster", "fr": "Webmaster", "es": "Webmaster"},
        {"en": "Customer service", "fr": "Service client", "es": "Servicio de Atención al cliente"},
    ]


def french_msgstrs() -> list[str]:
    from comptoir.tests.test_i18n_catalogues import ROOT, read_po

    entries = read_po(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    return [str(v) for e in entries for k, v in e.items() if str(k).startswith("msgstr")]


def test_the_french_catalogue_says_etat_for_a_status_never_statut():
    assert [text for text in french_msgstrs() if "statut" in text.lower()] == []


def test_the_french_catalogue_calls_the_handled_state_termine_never_ferme():
    assert [text for text in french_msgstrs() if "ferm" in text.lower()] == []


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "word"), [("fr", "Commande"), ("es", "Pedido")])
def test_the_history_panel_names_the_order_in_the_employees_language(client, bob, language, word):
    bob.language = language
    bob.save(update_fields=["language"])
    customer = make_customer()
    order = make_order(customer, reference="QWERTYUIO")
    thread = make_thread(customer=customer, order=order)
    client.force_login(bob)
    page = client.get(f"/desk/threads/{thread.pk}/").content.decode()
    assert f"{word} QWERTYUIO" in page
    assert "Order QWERTYUIO" not in page


@pytest.mark.django_db
def test_an_existing_shop_s_default_contact_takes_the_guides_spanish_name():
    from importlib import import_module

    from django.apps import apps

    from comptoir.threads.models import Contact

    migration = import_module(
        "comptoir.threads.migrations.0009_guide_name_of_the_spanish_customer_service_contact"
    )
    default = Contact.objects.get(name__en="Customer service")
    default.name = {**default.name, "es": "Servicio al cliente"}
    default.save(update_fields=["name"])
    chosen = Contact.objects.create(
        name={"en": "Customer service", "es": "Atención"}, email="a@example.com", position=9
    )
    migration.rename(apps, None)
    default.refresh_from_db()
    chosen.refresh_from_db()
    assert default.name["es"] == "Servicio de Atención al cliente"
    assert chosen.name["es"] == "Atención"
