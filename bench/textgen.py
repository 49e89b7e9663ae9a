"""Shop customer-service text in English, French and Spanish, cheap to draw by the million.

Messages are a few sentences drawn from per-language pools, with the blanks filled from small
vocabularies (products, references, days), so they read like the real thing and vary enough for
the search box to have work to do.
"""

from __future__ import annotations

import random
import unicodedata

LANGUAGES = ("en", "fr", "es")

FIRST_NAMES = {
    "en": [
        "Oliver",
        "Amelia",
        "Harry",
        "Isla",
        "Jack",
        "Emily",
        "George",
        "Grace",
        "Noah",
        "Ella",
        "Thomas",
        "Sophie",
        "James",
        "Lily",
        "William",
        "Ruby",
        "Samuel",
        "Chloe",
    ],
    "fr": [
        "Camille",
        "Louis",
        "Manon",
        "Hugo",
        "Léa",
        "Jules",
        "Chloé",
        "Gabriel",
        "Inès",
        "Raphaël",
        "Zoé",
        "Arthur",
        "Élodie",
        "Théo",
        "Mathilde",
        "Noé",
        "Margaux",
        "Benoît",
    ],
    "es": [
        "Lucía",
        "Hugo",
        "Martina",
        "Mateo",
        "Sofía",
        "Pablo",
        "Valeria",
        "Álvaro",
        "Paula",
        "Daniel",
        "Carmen",
        "Javier",
        "Irene",
        "Sergio",
        "Nuria",
        "Andrés",
        "Elena",
        "Íñigo",
    ],
}
LAST_NAMES = {
    "en": [
        "Smith",
        "Jones",
        "Taylor",
        "Brown",
        "Williams",
        "Wilson",
        "Johnson",
        "Davies",
        "Robinson",
        "Wright",
        "Thompson",
        "Evans",
        "Walker",
        "White",
        "Hughes",
        "O'Neill",
    ],
    "fr": [
        "Martin",
        "Bernard",
        "Dubois",
        "Thomas",
        "Robert",
        "Richard",
        "Petit",
        "Durand",
        "Leroy",
        "Moreau",
        "Simon",
        "Laurent",
        "Lefèvre",
        "Michel",
        "Garnier",
        "Faure",
    ],
    "es": [
        "García",
        "Fernández",
        "González",
        "Rodríguez",
        "López",
        "Martínez",
        "Sánchez",
        "Pérez",
        "Gómez",
        "Martín",
        "Jiménez",
        "Ruiz",
        "Hernández",
        "Díaz",
        "Muñoz",
        "Núñez",
    ],
}
DOMAINS = [
    "example.com",
    "example.net",
    "example.org",
    "mail.example.com",
    "correo.example.es",
    "courriel.example.fr",
]

PRODUCTS = {
    "en": [
        "linen shirt",
        "leather wallet",
        "ceramic teapot",
        "wool scarf",
        "running shoes",
        "desk lamp",
        "gift card",
        "rain jacket",
        "cotton tote bag",
        "espresso cups",
    ],
    "fr": [
        "chemise en lin",
        "portefeuille en cuir",
        "théière en céramique",
        "écharpe en laine",
        "chaussures de course",
        "lampe de bureau",
        "carte cadeau",
        "veste de pluie",
        "sac en coton",
        "tasses à espresso",
    ],
    "es": [
        "camisa de lino",
        "cartera de piel",
        "tetera de cerámica",
        "bufanda de lana",
        "zapatillas de correr",
        "lámpara de escritorio",
        "tarjeta regalo",
        "chubasquero",
        "bolsa de algodón",
        "tazas de espresso",
    ],
}
DAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
}

CUSTOMER = {
    "en": [
        "Hello, I ordered a {p} on {d} and it still has not arrived.",
        "The tracking page has shown the same status for four days now.",
        "Could you tell me when order {ref} will be shipped?",
        "The {p} I received is the wrong size, can I exchange it?",
        "I was charged twice for order {ref}, please check.",
        "The parcel arrived damaged: the box was crushed and the {p} is scratched.",
        "I would like to return the {p}; how do I get a return label?",
        "Is the {p} available again in another colour?",
        "I changed address last week, can you update the delivery for {ref}?",
        "My discount code was refused at checkout although it is still valid.",
        "Thank you for your quick answer last time.",
        "I attach a photo so you can see the problem.",
        "Please let me know what you can do, I need it before {d}.",
        "I have not received the refund you promised two weeks ago.",
        "Kind regards.",
    ],
    "fr": [
        "Bonjour, j'ai commandé un(e) {p} {d} et je ne l'ai toujours pas reçu(e).",
        "La page de suivi affiche le même statut depuis quatre jours.",
        "Pourriez-vous me dire quand la commande {ref} sera expédiée ?",
        "Le/la {p} reçu(e) n'est pas à la bonne taille, puis-je l'échanger ?",
        "J'ai été débité(e) deux fois pour la commande {ref}, merci de vérifier.",
        "Le colis est arrivé abîmé : le carton était écrasé et le/la {p} est rayé(e).",
        "Je souhaite retourner le/la {p} ; comment obtenir une étiquette de retour ?",
        "Le/la {p} sera-t-il/elle de nouveau disponible dans une autre couleur ?",
        "J'ai déménagé la semaine dernière, pouvez-vous changer la livraison de {ref} ?",
        "Mon code de réduction a été refusé alors qu'il est encore valable.",
        "Merci pour votre réponse rapide la dernière fois.",
        "Je joins une photo pour que vous voyiez le problème.",
        "Tenez-moi au courant, j'en ai besoin avant {d}.",
        "Je n'ai pas reçu le remboursement promis il y a deux semaines.",
        "Cordialement.",
    ],
    "es": [
        "Hola, pedí un(a) {p} el {d} y todavía no ha llegado.",
        "La página de seguimiento muestra el mismo estado desde hace cuatro días.",
        "¿Podrían decirme cuándo se enviará el pedido {ref}?",
        "El/la {p} que recibí no es de mi talla, ¿puedo cambiarlo?",
        "Me han cobrado dos veces el pedido {ref}, por favor revísenlo.",
        "El paquete llegó dañado: la caja estaba aplastada y el/la {p} está rayado(a).",
        "Quiero devolver el/la {p}; ¿cómo consigo una etiqueta de devolución?",
        "¿Volverá a estar disponible el/la {p} en otro color?",
        "Cambié de dirección la semana pasada, ¿pueden actualizar la entrega de {ref}?",
        "Mi código de descuento fue rechazado aunque sigue siendo válido.",
        "Gracias por su rápida respuesta la última vez.",
        "Adjunto una foto para que vean el problema.",
        "Avísenme, lo necesito antes del {d}.",
        "No he recibido el reembolso que me prometieron hace dos semanas.",
        "Un saludo.",
    ],
}
EMPLOYEE = {
    "en": [
        "Thank you for your message about order {ref}.",
        "I am sorry for the delay: the carrier had a backlog this week.",
        "I have asked the warehouse to send a replacement {p} today.",
        "You will receive a prepaid return label by e-mail within the hour.",
        "The duplicate payment has been refunded; allow three to five days.",
        "Your delivery address has been updated for the parcel.",
        "The {p} is expected back in stock on {d}.",
        "I have applied the discount manually and refunded the difference.",
        "Please keep the damaged item, a new one is on its way.",
        "Do not hesitate to write again if anything is unclear.",
    ],
    "fr": [
        "Merci pour votre message concernant la commande {ref}.",
        "Toutes nos excuses pour le retard : le transporteur est surchargé cette semaine.",
        "J'ai demandé à l'entrepôt d'envoyer un(e) {p} de remplacement aujourd'hui.",
        "Vous recevrez une étiquette de retour prépayée par e-mail dans l'heure.",
        "Le double paiement a été remboursé ; comptez trois à cinq jours.",
        "Votre adresse de livraison a été mise à jour pour le colis.",
        "Le/la {p} doit revenir en stock {d}.",
        "J'ai appliqué la réduction manuellement et remboursé la différence.",
        "Gardez l'article abîmé, un nouveau est en route.",
        "N'hésitez pas à nous écrire à nouveau si quelque chose n'est pas clair.",
    ],
    "es": [
        "Gracias por su mensaje sobre el pedido {ref}.",
        "Disculpe el retraso: el transportista ha tenido mucho volumen esta semana.",
        "He pedido al almacén que envíe hoy un(a) {p} de sustitución.",
        "Recibirá una etiqueta de devolución prepagada por correo en menos de una hora.",
        "El cobro duplicado ha sido reembolsado; cuente de tres a cinco días.",
        "Su dirección de entrega ha sido actualizada para el paquete.",
        "El/la {p} vuelve a estar en stock el {d}.",
        "He aplicado el descuento manualmente y reembolsado la diferencia.",
        "Quédese con el artículo dañado, ya le enviamos uno nuevo.",
        "No dude en escribirnos de nuevo si algo no está claro.",
    ],
}
NOTES = {
    "en": [
        "Carrier claim opened for {ref}.",
        "Customer called, waiting for the photo.",
        "Second time this month, offer a voucher.",
        "Refund approved by accounting.",
    ],
    "fr": [
        "Réclamation transporteur ouverte pour {ref}.",
        "Cliente appelée, photo attendue.",
        "Deuxième fois ce mois-ci, proposer un bon d'achat.",
        "Remboursement validé.",
    ],
    "es": [
        "Reclamación al transportista abierta para {ref}.",
        "Llamó el cliente, falta la foto.",
        "Segunda vez este mes, ofrecer un vale.",
        "Reembolso aprobado por contabilidad.",
    ],
}
SIGN_OFF = {
    "en": "Best regards,\nCustomer service",
    "fr": "Cordialement,\nLe service client",
    "es": "Un saludo,\nAtención al cliente",
}
SUBJECTS = {
    "en": [
        "Where is my order?",
        "Wrong size received",
        "Double payment",
        "Return request",
        "Damaged parcel",
        "Question about a product",
        "Change of address",
        "Refund not received",
    ],
    "fr": [
        "Où est ma commande ?",
        "Mauvaise taille reçue",
        "Double paiement",
        "Demande de retour",
        "Colis abîmé",
        "Question sur un produit",
        "Changement d'adresse",
        "Remboursement non reçu",
    ],
    "es": [
        "¿Dónde está mi pedido?",
        "Talla equivocada",
        "Cobro duplicado",
        "Solicitud de devolución",
        "Paquete dañado",
        "Pregunta sobre un producto",
        "Cambio de dirección",
        "Reembolso no recibido",
    ],
}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def reference(rng: random.Random) -> str:
    """A PrestaShop-like order reference: nine capital letters."""
    return "".join(rng.choices(LETTERS, k=9))


def _fill(rng: random.Random, sentence: str, language: str, ref: str) -> str:
    return sentence.format(p=rng.choice(PRODUCTS[language]), d=rng.choice(DAYS[language]), ref=ref)


def _sentences(rng: random.Random, pool: list[str], language: str, count: int, ref: str) -> str:
    chosen = [_fill(rng, s, language, ref) for s in rng.sample(pool, min(count, len(pool)))]
    cut = max(1, len(chosen) // 2)
    return " ".join(chosen[:cut]) + ("\n\n" + " ".join(chosen[cut:]) if chosen[cut:] else "")


def customer_text(rng: random.Random, language: str, ref: str) -> str:
    return _sentences(rng, CUSTOMER[language], language, rng.randint(2, 7), ref)


def employee_text(rng: random.Random, language: str, ref: str) -> str:
    body = _sentences(rng, EMPLOYEE[language], language, rng.randint(2, 5), ref)
    return f"{body}\n\n{SIGN_OFF[language]}"


def note_text(rng: random.Random, language: str, ref: str) -> str:
    return _fill(rng, rng.choice(NOTES[language]), language, ref)


def subject(rng: random.Random, language: str) -> str:
    return rng.choice(SUBJECTS[language])


def person(rng: random.Random, language: str, number: int) -> tuple[str, str, str]:
    """(first name, last name, e-mail); ``number`` keeps addresses distinct."""
    first, last = rng.choice(FIRST_NAMES[language]), rng.choice(LAST_NAMES[language])
    folded = unicodedata.normalize("NFKD", f"{first}.{last}".lower())
    local = "".join(ch for ch in folded if ch.isascii() and ch not in "' ")
    return first, last, f"{local}.{number}@{rng.choice(DOMAINS)}"
