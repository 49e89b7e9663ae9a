"""Pages and e-mails in each language, checked by their content (not only status codes)."""

import pytest

from comptoir.orders.services import order_message_post
from comptoir.testing import default_contact, make_customer, make_employee, make_order, make_thread
from comptoir.threads import services
from comptoir.threads.contact_messages import Submission, contact_message_submit
from comptoir.threads.models import EmailKind, OutboundEmail

pytestmark = pytest.mark.django_db

DESK_WORDS = {
    "fr": ["Service client", "Signification de l'état", "Statistiques", "Discussions non traitées"],
    "es": [
        "Servicio al cliente",
        "Significado del estado",
        "Estadísticas",
        "Hilos no gestionados",
    ],
}
THREAD_WORDS = {
    "fr": [
        "Marquer comme",
        "traité",
        "Transférer cette discussion à un autre employé",
        "Répondre au prochain message de cette conversation",
        "Historique des commandes et des messages",
    ],
    "es": [
        "Marcar como",
        "gestionado",
        "Enviar esta discusión a otro empleado",
        "Responder al siguiente mensaje sin respuesta",
        "Pedidos e históricos de mensajes",
    ],
}
ENGLISH_LABELS = [
    "Customer Service",
    "Meaning of status",
    "Statistics",
    "Mark as",
    "Forward to",
    "Private note",
    "Your answer",
    "Log out",
    "Send",
]


def english_left(page: str) -> list[str]:
    return [label for label in ENGLISH_LABELS if f">{label}<" in page or f">{label} " in page]


@pytest.mark.parametrize("language", ["fr", "es"])
def test_the_back_office_speaks_the_employees_language(client, language):
    employee = make_employee("Lucie", language=language)
    alice = make_customer("Alice")
    thread = make_thread(customer=alice, order=make_order(alice))
    client.force_login(employee)
    home = client.get("/desk/").content.decode()
    for word in DESK_WORDS[language]:
        assert word in home
    page = client.get(f"/desk/threads/{thread.pk}/").content.decode()
    for word in THREAD_WORDS[language]:
        assert word in page, word
    assert english_left(home) == []
    assert english_left(page) == []


@pytest.mark.parametrize(
    ("language", "subjects"),
    [
        (
            "fr",
            {
                "confirmation": "Votre message a bien été envoyé",
                "reply": "Une réponse à votre message est disponible",
                "order_message": "Nouveau message concernant votre commande",
            },
        ),
        (
            "es",
            {
                "confirmation": "Su mensaje se ha enviado correctamente",
                "reply": "Hay una respuesta a su mensaje",
                "order_message": "Nuevo mensaje sobre su pedido",
            },
        ),
    ],
)
def test_every_customer_email_is_written_in_the_customers_language(bob, language, subjects):
    customer = make_customer("Amélie", email="amelie@example.com", language=language)
    order = make_order(customer)
    outcome = contact_message_submit(
        submission=Submission(
            contact=default_contact(), email="amelie@example.com", text="Bonjour", language=language
        )
    )
    assert outcome.thread is not None
    services.thread_reply(thread=outcome.thread, employee=bob, text="Réponse")
    order_message_post(
        order=order, employee=bob, text="Votre colis part demain.", visible_to_customer=True
    )
    for kind, subject in subjects.items():
        email = OutboundEmail.objects.filter(kind=kind).latest("id")
        assert email.subject.startswith(subject), (kind, email.subject)
        assert "conversation" in email.body_text or "conversación" in email.body_text


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["vous a transféré la discussion", "Historique de la discussion", "Commentaire"]),
        ("es", ["le ha reenviado la conversación", "Historial de la conversación", "Comentario"]),
    ],
)
def test_emails_to_employees_are_written_in_their_language(bob, language, words):
    colleague = make_employee("Lucie", language=language)
    thread = make_thread()
    services.thread_forward(thread=thread, employee=bob, to_employee=colleague, comment="À toi")
    body = OutboundEmail.objects.get(kind=EmailKind.FORWARD).body_text
    for word in words:
        assert word in body


def test_money_and_dates_follow_the_language(client):
    employee = make_employee("Lucie", language="fr")
    alice = make_customer("Alice")
    make_order(alice)
    thread = make_thread(customer=alice)
    client.force_login(employee)
    page = client.get(f"/desk/threads/{thread.pk}/").content.decode()
    assert "49,90\u00a0€" in page
