"""The demo shop: a team, customers with orders, and months of customer-service conversations.

``demo_load`` is what ``comptoir demo`` (and the first ``comptoir run``) calls. Everything is
deterministic for a given seed, except the secret tokens and storage names the services draw.

Threads are written through ``threads.services`` only, exactly as the desk and the contact form
write them; the services stamp everything with ``timezone.now()``, so after each step the rows that
step created are moved to the step's planned time in the past, and the values a thread derives from
its messages are settled from the moved rows at the end.

The e-mail addresses use the domains reserved for examples (RFC 2606), so nothing can reach a real
person; the e-mails the services queue are recorded as sent, the worker has nothing to deliver.
"""

from __future__ import annotations

import io
import random
import struct
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from comptoir.shop.models import Customer, Order, OrderHistory, OrderState
from comptoir.staff.models import Employee, Role
from comptoir.staff.services import employee_create
from comptoir.threads.defaults import default_contacts_ensure
from comptoir.threads.models import (
    Attachment,
    Author,
    Contact,
    DeskSettings,
    EmailStatus,
    EventKind,
    Message,
    OrderMessage,
    OutboundEmail,
    Source,
    Status,
    Thread,
    ThreadEvent,
)
from comptoir.threads.services import (
    CustomerMessage,
    thread_assign,
    thread_forward,
    thread_mark_read,
    thread_note,
    thread_open,
    thread_receive,
    thread_reply,
    thread_set_status,
)
from comptoir.threads.storage import attachment_store

DEMO_ADMIN_EMAIL = "admin@comptoir.test"

LANGUAGES = ("en", "fr", "es")
THREAD_COUNT = 80
# How many threads in each language (the rest of THREAD_COUNT is Spanish).
THREADS_PER_LANGUAGE = {"en": 28, "fr": 28}

# --------------------------------------------------------------------------------------------------
# The team

# (e-mail, first name, last name, language, administrator?, days since they joined)
EMPLOYEES: tuple[tuple[str, str, str, str, bool, int], ...] = (
    (DEMO_ADMIN_EMAIL, "Camille", "Martin", "en", True, 790),
    ("lucie@comptoir.test", "Lucie", "Bernard", "fr", False, 430),
    ("javier@comptoir.test", "Javier", "Ortega", "es", False, 260),
)

# --------------------------------------------------------------------------------------------------
# Order statuses, as PrestaShop colours them

# key: (names, colour, counts as a valid order)
ORDER_STATES: dict[str, tuple[dict[str, str], str, bool]] = {
    "awaiting": (
        {"en": "Awaiting payment", "fr": "En attente de paiement", "es": "En espera de pago"},
        "#4169E1",
        False,
    ),
    "accepted": (
        {"en": "Payment accepted", "fr": "Paiement accepté", "es": "Pago aceptado"},
        "#32CD32",
        True,
    ),
    "processing": (
        {
            "en": "Processing in progress",
            "fr": "Préparation en cours",
            "es": "Preparación en curso",
        },
        "#FF8C00",
        True,
    ),
    "shipped": ({"en": "Shipped", "fr": "Expédié", "es": "Enviado"}, "#8A2BE2", True),
    "delivered": ({"en": "Delivered", "fr": "Livré", "es": "Entregado"}, "#108510", True),
    "canceled": ({"en": "Canceled", "fr": "Annulé", "es": "Cancelado"}, "#DC143C", False),
    "refunded": ({"en": "Refunded", "fr": "Remboursé", "es": "Reembolsado"}, "#ec2e15", False),
}

# Hours between two successive statuses of an order: (shortest, longest).
STATE_GAP_HOURS: dict[tuple[str, str], tuple[float, float]] = {
    ("awaiting", "accepted"): (5, 60),
    ("awaiting", "canceled"): (190, 260),
    ("accepted", "processing"): (1, 20),
    ("accepted", "canceled"): (1, 10),
    ("processing", "shipped"): (3, 30),
    ("shipped", "delivered"): (20, 96),
    ("delivered", "refunded"): (72, 400),
}

# The life of an order nobody wrote about: (weight, statuses it goes through).
ORDER_FATES: tuple[tuple[int, tuple[str, ...]], ...] = (
    (60, ("accepted", "processing", "shipped", "delivered")),
    (14, ("awaiting", "accepted", "processing", "shipped", "delivered")),
    (8, ("awaiting", "canceled")),
    (6, ("accepted", "canceled")),
    (8, ("accepted", "processing", "shipped", "delivered", "refunded")),
)

# Prices of the catalogue (an order is one to three of them, plus shipping under 60 €).
PRICES = (
    "16.50",
    "19.90",
    "24.50",
    "29.90",
    "34.90",
    "39.00",
    "49.90",
    "59.00",
    "79.90",
    "89.00",
    "129.00",
    "149.90",
    "189.00",
)
SHIPPING = Decimal("4.90")
FREE_SHIPPING_FROM = Decimal("60")
LARGEST_ORDER = Decimal("389.00")

# --------------------------------------------------------------------------------------------------
# Predefined messages of the order page

ORDER_MESSAGES: tuple[tuple[dict[str, str], dict[str, str]], ...] = (
    (
        {"en": "Delay", "fr": "Retard", "es": "Retraso"},
        {
            "en": "Hello,\n\nUnfortunately, one of the items in your order is temporarily out of "
            "stock, which may delay the delivery slightly. Please accept our apologies: we are "
            "doing everything we can to send it to you as soon as possible.\n\nBest regards,",
            "fr": "Bonjour,\n\nMalheureusement, un article de votre commande est temporairement en "
            "rupture de stock, ce qui pourrait retarder légèrement la livraison. Veuillez nous en "
            "excuser : nous faisons le nécessaire pour vous l'expédier au plus vite.\n\n"
            "Cordialement,",
            "es": "Hola:\n\nLamentablemente, uno de los artículos de su pedido está agotado "
            "temporalmente, lo que podría retrasar un poco la entrega. Le pedimos disculpas por "
            "las molestias: estamos haciendo todo lo posible para enviárselo cuanto antes.\n\n"
            "Un saludo,",
        },
    ),
    (
        {"en": "Shipped", "fr": "Expédition", "es": "Envío"},
        {
            "en": "Hello,\n\nGood news: your order has left our warehouse. You can follow your "
            'parcel with the tracking number shown in the "Order history and details" section '
            "of your account.\n\nBest regards,",
            "fr": "Bonjour,\n\nBonne nouvelle : votre commande vient de quitter notre entrepôt. "
            "Vous pouvez suivre votre colis grâce au numéro de suivi indiqué dans la rubrique "
            "« Historique et détails de mes commandes » de votre compte.\n\nCordialement,",
            "es": "Hola:\n\nBuenas noticias: su pedido ya ha salido de nuestro almacén. Puede "
            "seguir el paquete con el número de seguimiento que encontrará en «Historial y "
            "detalles de mis pedidos» de su cuenta.\n\nUn saludo,",
        },
    ),
)

# --------------------------------------------------------------------------------------------------
# Customers

# (first name, last name, language, guest?)
CUSTOMERS: tuple[tuple[str, str, str, bool], ...] = (
    ("Emily", "Clarke", "en", False),
    ("James", "Whitaker", "en", False),
    ("Sophie", "Harding", "en", False),
    ("Oliver", "Bennett", "en", False),
    ("Hannah", "Price", "en", False),
    ("Daniel", "Hughes", "en", False),
    ("Grace", "Collins", "en", False),
    ("Thomas", "Reid", "en", False),
    ("Megan", "Lloyd", "en", False),
    ("Ryan", "Fletcher", "en", False),
    ("Aidan", "Murphy", "en", False),
    ("Chloe", "Barker", "en", True),
    ("Priya", "Shah", "en", True),
    ("Liam", "Doyle", "en", True),
    ("Julien", "Moreau", "fr", False),
    ("Claire", "Dubois", "fr", False),
    ("Antoine", "Lefèvre", "fr", False),
    ("Manon", "Girard", "fr", False),
    ("Nicolas", "Fontaine", "fr", False),
    ("Élodie", "Rousseau", "fr", False),
    ("Thomas", "Mercier", "fr", False),
    ("Chloé", "Lambert", "fr", False),
    ("Mathieu", "Faure", "fr", False),
    ("Sophie", "Garnier", "fr", False),
    ("Hugo", "Chevalier", "fr", False),
    ("Léa", "Perrin", "fr", True),
    ("Karim", "Benali", "fr", True),
    ("Inès", "Morel", "fr", True),
    ("Lucía", "Fernández", "es", False),
    ("Pablo", "Romero", "es", False),
    ("Marta", "Gil", "es", False),
    ("Alejandro", "Navarro", "es", False),
    ("Carmen", "Ruiz", "es", False),
    ("Diego", "Torres", "es", False),
    ("Laura", "Jiménez", "es", False),
    ("Sergio", "Molina", "es", False),
    ("Elena", "Castro", "es", False),
    ("Álvaro", "Delgado", "es", False),
    ("Nuria", "Vidal", "es", False),
    ("Jorge", "Serrano", "es", True),
    ("Irene", "Ortiz", "es", True),
)

# People who write without having an account (threads with no customer).
VISITORS: tuple[tuple[str, str, str], ...] = (
    ("Rachel", "Owens", "en"),
    ("Mark", "Ellis", "en"),
    ("Sandrine", "Petit", "fr"),
    ("Olivier", "Roux", "fr"),
    ("Beatriz", "Sanz", "es"),
    ("Raúl", "Méndez", "es"),
)

EMAIL_DOMAINS: dict[str, tuple[str, ...]] = {
    "en": ("example.com", "example.org"),
    "fr": ("example.net", "example.com"),
    "es": ("example.org", "example.net"),
}

USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
)

# --------------------------------------------------------------------------------------------------
# Conversations
#
# A script is what happens in one thread, turn by turn. Texts may use {first}, {last} (the
# customer), {ref}, {amount} (the order), {tracking}, {code} and {shop}. An employee's answer is
# the body only: it is wrapped in the greeting and closing of the desk's default message.

TurnKind = Literal["customer", "reply", "note", "mark", "forward"]
# What the thread is about, for the order it comes with: the status the order had reached when
# the customer wrote (None: no order).
Stage = Literal["awaiting", "just_paid", "cancel", "in_transit", "delivered", "refund"]
ContactKey = Literal["service", "webmaster"]


@dataclass(frozen=True)
class Turn:
    kind: TurnKind
    text: str = ""
    status: Status = Status.CLOSED
    attachment: str = ""  # the file the customer sends with this message (its name)
    forward_to: str = ""  # "admin" or an e-mail address


def ask(text: str, attachment: str = "") -> Turn:
    """The customer writes (the first turn opens the thread)."""
    return Turn("customer", text, attachment=attachment)


def answer(text: str, status: Status = Status.CLOSED) -> Turn:
    """The employee in charge replies and sets the status."""
    return Turn("reply", text, status=status)


def note(text: str) -> Turn:
    return Turn("note", text)


def mark(status: Status) -> Turn:
    """The employee changes the status without writing."""
    return Turn("mark", status=status)


def forward(comment: str, to: str) -> Turn:
    return Turn("forward", comment, forward_to=to)


@dataclass(frozen=True)
class Script:
    key: str
    language: str
    contact: ContactKey
    stage: Stage | None
    turns: tuple[Turn, ...]
    product: str = ""


SCRIPTS_EN: tuple[Script, ...] = (
    Script(
        "late-delivery",
        "en",
        "service",
        "in_transit",
        (
            ask(
                "Hi,\n\nI placed order {ref} over a week ago and it still hasn't arrived. The "
                "tracking page hasn't changed in four days. Could you find out what's going on?"
                "\n\nThanks,\n{first}"
            ),
            answer(
                "Your parcel left our warehouse on time, but it looks like it has been held at "
                "the carrier's regional depot. We have opened an enquiry with DPD (tracking "
                "number {tracking}) and will get back to you as soon as we hear from them.",
                Status.PENDING2,
            ),
            note("Enquiry opened on the DPD portal. If nothing moves by Friday, resend the order."),
            ask(
                "Hello again,\n\nIt turned up this morning. The box is a bit squashed but "
                "everything inside is fine. Thanks for chasing it!\n\n{first}"
            ),
            mark(Status.CLOSED),
        ),
    ),
    Script(
        "wrong-size",
        "en",
        "service",
        "delivered",
        (
            ask(
                "Hello,\n\nI received order {ref} yesterday but the trainers are too small. I "
                "normally take a 42 and these feel more like a 41. Can I swap them for a 43?"
                "\n\nKind regards,\n{first}"
            ),
            answer(
                "We're sorry the size isn't right. Exchanges are free within 30 days: you will "
                'find a prepaid return label in the "Order history and details" section of your '
                "account. The 43 is in stock and we have put a pair aside for you; it will be "
                "sent as soon as your return reaches us.",
                Status.PENDING1,
            ),
            ask(
                "Great, I dropped the parcel off at the post office this morning.\n\n"
                "Cheers,\n{first}"
            ),
            answer(
                "Your return arrived today. The size 43 has just been sent and you will receive "
                "the tracking number by e-mail this evening."
            ),
        ),
    ),
    Script(
        "refund",
        "en",
        "service",
        "refund",
        (
            ask(
                "Hi,\n\nI'd like to return the desk lamp from order {ref}: it's much bigger than "
                "I expected and doesn't fit on my desk. How do I get a refund?\n\n{first} {last}"
            ),
            answer(
                "Of course. You can return any item within 30 days of delivery: print the "
                "prepaid return label from your account, pack the lamp in its original box and "
                "drop it at any post office. Once we have received and checked it, the refund is "
                "made to your original payment method within 5 working days."
            ),
            ask("I sent the lamp back last Monday. Any news on the refund?\n\nThanks,\n{first}"),
            answer(
                "Your return arrived this morning and has been checked. The refund of {amount} "
                "has been issued to your card; depending on your bank, it can take 3 to 5 "
                "working days to show on your statement."
            ),
        ),
    ),
    Script(
        "damaged-parcel",
        "en",
        "service",
        "delivered",
        (
            ask(
                "Hello,\n\nThe parcel for order {ref} arrived with one corner crushed and the "
                "ceramic bowl inside is broken. I've attached a photo of the box.\n\n"
                "What can you do?\n{first}",
                attachment="damaged-box.png",
            ),
            note("Photo is clear: carrier damage. Replacement from stock, claim to file with DPD."),
            answer(
                "We're really sorry about this. There is no need to send the broken bowl back: "
                "a replacement is leaving today, at our expense and in reinforced packaging. "
                "You'll receive the tracking number by e-mail."
            ),
            ask("The new bowl arrived in one piece. Thanks for sorting it out so quickly!"),
            mark(Status.CLOSED),
        ),
    ),
    Script(
        "invoice",
        "en",
        "service",
        "delivered",
        (
            ask(
                "Good morning,\n\nCould you send me a VAT invoice for order {ref}? I need our "
                'company name, "{last} & Partners Ltd", on it for our accounts.\n\n'
                "Many thanks,\n{first} {last}"
            ),
            answer(
                'Invoices can be downloaded at any time from "Order history and details" in '
                "your account. We have added the company name to your billing address and "
                "generated the invoice again, so the new version shows {last} & Partners Ltd."
            ),
        ),
    ),
    Script(
        "product-question",
        "en",
        "service",
        None,
        (
            ask(
                "Hi,\n\nIs the 80 cm oak wall shelf solid oak or veneer? And how much weight can "
                "it take? I'd like to put my cookbooks on it.\n\nThanks,\n{first}"
            ),
            answer(
                "The shelf is solid European oak with a natural oil finish. Fixed into a solid "
                "wall with the brackets supplied, it holds up to 25 kg, which is plenty for a row "
                "of cookbooks. For plasterboard walls we recommend suitable cavity fixings."
            ),
            ask("Perfect, I've just ordered two. Thanks!\n\n{first}"),
            mark(Status.CLOSED),
        ),
        product="OAK-SHELF-80",
    ),
    Script(
        "login-problem",
        "en",
        "webmaster",
        None,
        (
            ask(
                "Hello,\n\nI can't log in to my account. Every time I submit the form the page "
                "just reloads. I tried resetting my password but the e-mail never came. I've "
                "attached what my browser console shows.\n\n{first}",
                attachment="console-log.txt",
            ),
            note(
                "Console shows a 403 on login: the cookie banner script blocks the session "
                "cookie in Safari. Passing it on to the agency."
            ),
            forward(
                "Customer can't log in with Safari 17, console log attached in the thread. "
                "Could you check the cookie consent script?",
                "support@webagency.example.net",
            ),
            answer(
                "Thank you for the details, they helped a lot. Our web team found a problem with "
                "the cookie banner in Safari which prevented logging in; it has been fixed. "
                "Please clear your browser cache and try again. The password reset e-mail should "
                "arrive within a few minutes too (check your spam folder, just in case).",
                Status.PENDING1,
            ),
            ask("It works now, thanks. The reset e-mail was in spam indeed.\n\n{first}"),
            mark(Status.CLOSED),
        ),
    ),
    Script(
        "discount-code",
        "en",
        "service",
        None,
        (
            ask(
                "Hi there,\n\nI'm trying to use the WELCOME10 code from your newsletter, but the "
                'basket says "This voucher is not valid". My basket is about €45. Has it '
                "expired?\n\n{first}"
            ),
            answer(
                "The WELCOME10 code applies to a first order of €50 or more (excluding "
                "shipping), which is why it was refused. As a gesture, we have created a "
                "personal code for you, {code}, which works on your basket as it is; it is "
                "valid for 14 days."
            ),
        ),
    ),
    Script(
        "address-change",
        "en",
        "service",
        "just_paid",
        (
            ask(
                "Hello,\n\nI've just placed order {ref} and realised it's going to my old "
                "address. Could you change it to 22 Harbour Road, Cork, before it ships?\n\n"
                "Sorry for the trouble,\n{first}"
            ),
            answer(
                "Good timing: your order hadn't been prepared yet. The delivery address is now "
                "22 Harbour Road, Cork. You'll receive the tracking number as soon as the parcel "
                "leaves our warehouse."
            ),
        ),
    ),
    Script(
        "cancel-order",
        "en",
        "service",
        "cancel",
        (
            ask(
                "Hi,\n\nPlease cancel order {ref}. I picked the wrong colour by mistake and will "
                "place a new order.\n\nThanks,\n{first}"
            ),
            answer(
                "Your order {ref} has been cancelled before preparation and the full amount "
                "({amount}) refunded to your card. Depending on your bank, it can take a few "
                "days to appear."
            ),
        ),
    ),
    Script(
        "missing-item",
        "en",
        "service",
        "delivered",
        (
            ask(
                "Hello,\n\nMy parcel for order {ref} arrived today but the set of linen napkins "
                "is missing, even though it's on the packing slip.\n\nRegards,\n{first} {last}"
            ),
            answer(
                "We apologise. We have asked our warehouse to check the weight recorded for "
                "your parcel when it left and will come back to you within 48 hours.",
                Status.PENDING2,
            ),
            note(
                "Warehouse: 1.2 kg at dispatch, which matches the order without the napkins. "
                "Picking error, resend."
            ),
            answer(
                "The warehouse has confirmed that the napkins were left out by mistake. They "
                "were sent this morning by tracked post ({tracking}). Sorry for the "
                "inconvenience."
            ),
        ),
    ),
    Script(
        "bank-transfer",
        "en",
        "service",
        "awaiting",
        (
            ask(
                "Hello,\n\nI paid order {ref} by bank transfer three days ago but it still says "
                '"Awaiting payment". Have you received it?\n\n{first}'
            ),
            answer(
                "Bank transfers usually take 1 to 3 working days to reach us. We can't see your "
                "payment yet: could you check that the order reference ({ref}) was included in "
                "the transfer description? If it's easier, reply with the transfer confirmation.",
                Status.PENDING1,
            ),
            ask(
                "I've checked and I forgot the reference, sorry! I transferred {amount} on "
                "Monday from an account in the name of {first} {last}."
            ),
            answer(
                "Found it, thank you. Your payment has been matched to order {ref}, which is now "
                "being prepared."
            ),
        ),
    ),
    Script(
        "restock",
        "en",
        "service",
        None,
        (
            ask(
                "Hi,\n\nThe merino scarf in forest green has been out of stock for weeks. Will "
                "you be getting more?\n\n{first}"
            ),
            answer(
                "We're expecting a new delivery from the mill in about two weeks. If you click "
                '"Notify me when available" on the product page, you will receive an e-mail as '
                "soon as it is back in stock."
            ),
        ),
        product="MERINO-SCARF-GRN",
    ),
    Script(
        "delete-account",
        "en",
        "webmaster",
        None,
        (
            ask(
                "Hello,\n\nPlease delete my account and all the personal data you hold about "
                "me. I no longer wish to receive anything from you.\n\n{first} {last}"
            ),
            answer(
                "Your account has been deleted and you have been removed from all our mailing "
                "lists. We only keep the invoices of past orders, for as long as accounting law "
                "requires."
            ),
        ),
    ),
    Script(
        "shipping-abroad",
        "en",
        "service",
        None,
        (
            ask(
                "Hi,\n\nDo you ship to the UK? And will I have to pay anything extra on "
                "delivery?\n\nThanks,\n{first}"
            ),
            answer(
                "Yes, we deliver to the UK in 4 to 6 working days; shipping is €9.90. Since "
                "Brexit, the carrier may charge import VAT and a handling fee on delivery, "
                "depending on the value of the parcel."
            ),
            ask("Thanks. And if something doesn't fit, can I return it from the UK?"),
            answer(
                "Of course: returns are accepted within 30 days from every country we deliver "
                "to. From the UK the return label costs €9.90, deducted from your refund."
            ),
        ),
    ),
    Script(
        "payment-failed",
        "en",
        "webmaster",
        None,
        (
            ask(
                "Hello,\n\nI've tried to pay three times with my card and each time the 3D "
                "Secure page shows an error and sends me back to the basket. Is your payment "
                "system down?\n\n{first}"
            ),
            note("Payment provider status page: incident yesterday 14:10-15:05, resolved."),
            answer(
                "Our payment provider had an incident yesterday afternoon which affected 3D "
                "Secure. It has been resolved and your basket is still saved, so you can try "
                "again. If it still fails, reply to this message and we'll send you a payment "
                "link."
            ),
        ),
    ),
)

SCRIPTS_FR: tuple[Script, ...] = (
    Script(
        "retard-livraison",
        "fr",
        "service",
        "in_transit",
        (
            ask(
                "Bonjour,\n\nJ'ai passé la commande {ref} il y a plus d'une semaine et je n'ai "
                "toujours rien reçu. Le suivi Colissimo indique « En cours d'acheminement » "
                "depuis quatre jours. Pouvez-vous vous renseigner ?\n\nMerci d'avance,\n{first}"
            ),
            answer(
                "Votre colis a bien quitté notre entrepôt dans les délais, mais il semble bloqué "
                "sur la plateforme régionale du transporteur. Nous avons ouvert une réclamation "
                "auprès de Colissimo (numéro de suivi {tracking}) et revenons vers vous dès que "
                "nous avons leur réponse.",
                Status.PENDING2,
            ),
            note("Réclamation Colissimo ouverte. Sans nouvelles vendredi : renvoi de la commande."),
            ask(
                "Bonjour,\n\nLe colis est finalement arrivé ce matin, tout est en bon état. "
                "Merci pour votre suivi !\n\n{first}"
            ),
            mark(Status.CLOSED),
        ),
    ),
    Script(
        "erreur-taille",
        "fr",
        "service",
        "delivered",
        (
            ask(
                "Bonjour,\n\nJ'ai reçu ma commande {ref}, mais la robe en lin en taille 38 taille "
                "vraiment petit. Est-il possible de l'échanger contre un 40 ?\n\n"
                "Bien cordialement,\n{first}"
            ),
            answer(
                "Nous sommes désolés que la taille ne convienne pas. L'échange est gratuit sous "
                "30 jours : vous trouverez un bon de retour prépayé dans la rubrique « Historique "
                "et détails de mes commandes » de votre compte. Le 40 est disponible et nous "
                "l'avons mis de côté ; il partira dès réception de votre retour.",
                Status.PENDING1,
            ),
            ask(
                "Bonjour,\n\nC'est fait, j'ai déposé le colis au bureau de poste ce midi."
                "\n\n{first}"
            ),
            answer(
                "Nous avons bien reçu votre retour. La robe en taille 40 vient de partir ; vous "
                "recevrez le numéro de suivi par e-mail dans la soirée."
            ),
        ),
    ),
    Script(
        "remboursement",
        "fr",
        "service",
        "refund",
        (
            ask(
                "Bonjour,\n\nJe souhaite retourner la lampe de bureau de ma commande {ref} : la "
                "teinte ne correspond pas du tout à la photo du site. Comment obtenir un "
                "remboursement ?\n\nCordialement,\n{first} {last}"
            ),
            forward(
                "Demande de remboursement pour {ref} ({amount}), motif : couleur différente de "
                "la photo. Tu valides ?",
                "admin",
            ),
            note(
                "Validé. À signaler au marketing : ce n'est pas le premier retour de cette lampe "
                "pour la couleur."
            ),
            answer(
                "Nous sommes désolés que la teinte ne corresponde pas à la photo. Vous pouvez "
                "nous retourner la lampe gratuitement : le bon de retour prépayé est disponible "
                "dans votre compte. Le remboursement sera effectué sur votre moyen de paiement "
                "dès réception de l'article."
            ),
            ask("Bonjour,\n\nJ'ai renvoyé la lampe lundi. L'avez-vous bien reçue ?\n\n{first}"),
            answer(
                "Votre retour est arrivé ce matin et a été contrôlé. Le remboursement de "
                "{amount} a été effectué ; selon votre banque, il apparaîtra sous 3 à 5 jours "
                "ouvrés."
            ),
        ),
    ),
    Script(
        "colis-abime",
        "fr",
        "service",
        "delivered",
        (
            ask(
                "Bonjour,\n\nLe colis de ma commande {ref} est arrivé complètement écrasé et le "
                "vase en céramique est cassé. Je vous joins une photo du carton.\n\n"
                "Merci de me dire comment procéder.\n{first}",
                attachment="photo-colis.png",
            ),
            note("Casse transporteur évidente sur la photo. Renvoi immédiat, réclamation à faire."),
            answer(
                "Nous sommes vraiment désolés. Inutile de nous renvoyer le vase cassé : un "
                "nouveau vase part aujourd'hui, à nos frais, dans un emballage renforcé. Vous "
                "recevrez le numéro de suivi par e-mail."
            ),
            ask("Bien reçu, intact cette fois-ci. Merci beaucoup pour votre réactivité !"),
            mark(Status.CLOSED),
        ),
    ),
    Script(
        "facture",
        "fr",
        "service",
        "delivered",
        (
            ask(
                "Bonjour,\n\nPourriez-vous m'envoyer une facture pour la commande {ref} au nom "
                "de ma société, Atelier {last} SARL ? J'en ai besoin pour ma comptabilité.\n\n"
                "Cordialement,\n{first} {last}"
            ),
            answer(
                "Votre facture est téléchargeable à tout moment depuis la rubrique « Historique "
                "et détails de mes commandes » de votre compte. Nous avons ajouté la raison "
                "sociale à votre adresse de facturation et régénéré la facture : la nouvelle "
                "version mentionne bien Atelier {last} SARL."
            ),
        ),
    ),
    Script(
        "question-produit",
        "fr",
        "service",
        None,
        (
            ask(
                "Bonjour,\n\nLa couette « Nuage » en 220 × 240 est-elle lavable en machine ? Et "
                "convient-elle pour une chambre peu chauffée ?\n\nMerci,\n{first}"
            ),
            answer(
                "La couette Nuage se lave en machine à 40 °C, en programme délicat ; il faut un "
                "tambour d'au moins 8 kg pour le format 220 × 240. Avec son garnissage de "
                "300 g/m², elle est pensée pour les chambres fraîches, autour de 16 à 18 °C."
            ),
            ask("Parfait, merci pour ces précisions. Je vais la commander.\n\n{first}"),
            mark(Status.CLOSED),
        ),
        product="COUETTE-NUAGE-220",
    ),
    Script(
        "connexion",
        "fr",
        "webmaster",
        None,
        (
            ask(
                "Bonjour,\n\nImpossible de me connecter à mon compte depuis hier : le site "
                "affiche « Échec d'authentification » alors que mon mot de passe est correct. "
                "J'ai demandé un nouveau mot de passe mais je ne reçois pas l'e-mail.\n\n{first}"
            ),
            answer(
                "Nous avons vérifié : l'adresse e-mail est bien celle de votre compte, mais nos "
                "e-mails de réinitialisation étaient filtrés par votre messagerie. Nous venons "
                "de vous en renvoyer un ; pensez à regarder dans le dossier « Courrier "
                "indésirable ». Le lien est valable 24 heures.",
                Status.PENDING1,
            ),
            ask(
                "C'est bon, j'ai pu changer mon mot de passe : l'e-mail était bien dans les "
                "indésirables. Merci !"
            ),
            mark(Status.CLOSED),
        ),
    ),
    Script(
        "code-promo",
        "fr",
        "service",
        None,
        (
            ask(
                "Bonjour,\n\nLe code BIENVENUE10 reçu avec la newsletter ne fonctionne pas : le "
                "panier affiche « Ce bon de réduction n'est pas valide ». Pouvez-vous "
                "m'aider ?\n\n{first}"
            ),
            answer(
                "Le code BIENVENUE10 est valable pour une première commande à partir de 50 € "
                "(hors frais de port), d'où le refus. Pour nous faire pardonner ce manque de "
                "clarté, nous avons créé un code personnel, {code}, utilisable sur votre panier "
                "actuel pendant 14 jours."
            ),
        ),
    ),
    Script(
        "changement-adresse",
        "fr",
        "service",
        "just_paid",
        (
            ask(
                "Bonjour,\n\nJe viens de passer la commande {ref} et je m'aperçois que l'adresse "
                "de livraison est l'ancienne. Pouvez-vous la remplacer par : 12 rue des "
                "Tanneurs, 67000 Strasbourg ?\n\nMerci beaucoup,\n{first}"
            ),
            answer(
                "Votre commande n'était pas encore préparée : l'adresse de livraison a bien été "
                "modifiée (12 rue des Tanneurs, 67000 Strasbourg). Vous recevrez le numéro de "
                "suivi dès l'expédition."
            ),
        ),
    ),
    Script(
        "annulation",
        "fr",
        "service",
        "cancel",
        (
            ask(
                "Bonjour,\n\nMerci d'annuler ma commande {ref} : j'ai choisi le mauvais coloris. "
                "Je repasserai commande.\n\n{first}"
            ),
            answer(
                "Votre commande {ref} a été annulée avant sa préparation et le montant de "
                "{amount} a été remboursé sur votre carte. Il apparaîtra sur votre compte sous "
                "quelques jours, selon votre banque."
            ),
        ),
    ),
    Script(
        "article-manquant",
        "fr",
        "service",
        "delivered",
        (
            ask(
                "Bonjour,\n\nJ'ai reçu mon colis (commande {ref}), mais il manque le lot de "
                "serviettes de table, pourtant indiqué sur le bon de livraison.\n\n"
                "Cordialement,\n{first} {last}"
            ),
            answer(
                "Toutes nos excuses. Nous avons demandé à l'entrepôt de vérifier le poids "
                "enregistré de votre colis au départ ; nous revenons vers vous sous 48 heures.",
                Status.PENDING2,
            ),
            note(
                "Entrepôt : 1,2 kg au départ, cohérent avec la commande sans les serviettes. "
                "Erreur de préparation, renvoi à faire."
            ),
            answer(
                "L'entrepôt confirme un oubli lors de la préparation. Les serviettes sont "
                "parties ce matin en Colissimo suivi ({tracking}). Veuillez nous excuser pour ce "
                "désagrément."
            ),
        ),
    ),
    Script(
        "virement",
        "fr",
        "service",
        "awaiting",
        (
            ask(
                "Bonjour,\n\nJ'ai réglé la commande {ref} par virement il y a trois jours mais "
                "elle est toujours « En attente de paiement ». Vous trouverez ci-joint l'avis de "
                "virement de ma banque.\n\nCordialement,\n{first} {last}",
                attachment="avis-de-virement.pdf",
            ),
            answer(
                "Merci pour le justificatif. Un virement met en général 1 à 3 jours ouvrés à "
                "nous parvenir ; nous surveillons notre compte et validerons la commande dès "
                "réception.",
                Status.PENDING2,
            ),
            note("Virement reçu ce matin, rapproché à la main avec la commande."),
            answer(
                "Votre virement de {amount} est bien arrivé : la commande {ref} est validée et "
                "en cours de préparation."
            ),
        ),
    ),
    Script(
        "disponibilite",
        "fr",
        "service",
        None,
        (
            ask(
                "Bonjour,\n\nLe plaid en laine gris anthracite est en rupture depuis plusieurs "
                "semaines. Savez-vous quand il sera de nouveau disponible ?\n\n{first}"
            ),
            answer(
                "Une nouvelle livraison de la filature est prévue d'ici deux semaines environ. "
                "Vous pouvez cliquer sur « Me prévenir lorsque le produit est disponible » sur la "
                "fiche produit : vous recevrez un e-mail dès son retour en stock."
            ),
        ),
        product="PLAID-LAINE-ANTH",
    ),
    Script(
        "suppression-compte",
        "fr",
        "webmaster",
        None,
        (
            ask(
                "Bonjour,\n\nConformément au RGPD, je vous demande de supprimer mon compte client "
                "et toutes les données me concernant.\n\n{first} {last}"
            ),
            answer(
                "Votre compte a été supprimé et votre adresse retirée de toutes nos listes "
                "d'envoi. Seules les factures de vos commandes passées sont conservées, pendant "
                "la durée imposée par nos obligations comptables."
            ),
        ),
    ),
    Script(
        "livraison-belgique",
        "fr",
        "service",
        None,
        (
            ask(
                "Bonjour,\n\nLivrez-vous en Belgique ? Et est-il possible de se faire livrer en "
                "point relais ?\n\nMerci,\n{first}"
            ),
            answer(
                "Oui, nous livrons en Belgique en 3 à 5 jours ouvrés, à domicile ou en point "
                "relais. Les frais de port sont de 6,90 € et offerts dès 80 € d'achat."
            ),
            ask("Et pour un retour depuis la Belgique, comment ça se passe ?"),
            answer(
                "Les retours sont acceptés sous 30 jours depuis tous les pays où nous livrons. "
                "Depuis la Belgique, le bon de retour coûte 6,90 €, déduits du remboursement."
            ),
        ),
    ),
    Script(
        "paiement-refuse",
        "fr",
        "webmaster",
        None,
        (
            ask(
                "Bonjour,\n\nJ'ai essayé trois fois de payer par carte et, à chaque fois, la page "
                "3D Secure affiche une erreur puis me renvoie au panier. Le paiement est-il en "
                "panne ?\n\n{first}"
            ),
            note("Incident chez le prestataire de paiement hier entre 14 h 10 et 15 h 05, résolu."),
            answer(
                "Notre prestataire de paiement a connu un incident hier après-midi, qui bloquait "
                "la validation 3D Secure. Tout est rentré dans l'ordre et votre panier est "
                "toujours enregistré : vous pouvez réessayer. En cas de nouveau souci, répondez à "
                "ce message et nous vous enverrons un lien de paiement."
            ),
        ),
    ),
)

SCRIPTS_ES: tuple[Script, ...] = (
    Script(
        "retraso",
        "es",
        "service",
        "in_transit",
        (
            ask(
                "Hola:\n\nHice el pedido {ref} hace más de una semana y todavía no me ha llegado. "
                "El seguimiento lleva cuatro días sin moverse. ¿Podéis mirar qué pasa?\n\n"
                "Gracias,\n{first}"
            ),
            answer(
                "Su paquete salió de nuestro almacén a tiempo, pero parece estar retenido en la "
                "delegación del transportista. Hemos abierto una incidencia con SEUR (número de "
                "seguimiento {tracking}) y le escribiremos en cuanto tengamos respuesta.",
                Status.PENDING2,
            ),
            ask(
                "Hola, ya me ha llegado esta mañana y está todo bien. ¡Gracias por las "
                "gestiones!\n\n{first}"
            ),
            mark(Status.CLOSED),
        ),
    ),
    Script(
        "talla",
        "es",
        "service",
        "delivered",
        (
            ask(
                "Buenas tardes:\n\nHe recibido el pedido {ref}, pero las zapatillas me quedan "
                "pequeñas. Normalmente uso un 39 y estas parecen un 38. ¿Puedo cambiarlas por un "
                "40?\n\nUn saludo,\n{first}"
            ),
            answer(
                "Sentimos que la talla no sea la adecuada. El cambio es gratuito durante 30 "
                "días: encontrará una etiqueta de devolución prepagada en «Historial y detalles "
                "de mis pedidos», en su cuenta. Tenemos la talla 40 en stock y se la hemos "
                "reservado; se la enviaremos en cuanto recibamos la devolución.",
                Status.PENDING1,
            ),
            ask("Perfecto, ya las he dejado en la oficina de Correos.\n\nGracias,\n{first}"),
            answer(
                "Hemos recibido su devolución. Las zapatillas de la talla 40 acaban de salir y "
                "esta tarde recibirá el número de seguimiento por correo electrónico."
            ),
        ),
    ),
    Script(
        "reembolso",
        "es",
        "service",
        "refund",
        (
            ask(
                "Hola:\n\nQuiero devolver la cafetera del pedido {ref}: no funciona con mi placa "
                "de inducción, aunque en la web ponía que sí. ¿Cómo solicito el reembolso?\n\n"
                "{first} {last}"
            ),
            note(
                "Avisar a catálogo: la ficha de la cafetera dice «apta para inducción» y no lo es."
            ),
            answer(
                "Lamentamos la confusión: ya hemos corregido la ficha del producto. Puede "
                "devolvernos la cafetera sin coste con la etiqueta de devolución disponible en "
                "su cuenta; le reembolsaremos el importe íntegro en cuanto la recibamos."
            ),
            ask("Ya la envié el lunes. ¿Sabéis algo del reembolso?\n\n{first}"),
            answer(
                "Su devolución llegó esta mañana y ya está revisada. Hemos emitido el reembolso "
                "de {amount} a su tarjeta; según su banco, puede tardar de 3 a 5 días hábiles en "
                "aparecer."
            ),
        ),
    ),
    Script(
        "paquete-danado",
        "es",
        "service",
        "delivered",
        (
            ask(
                "Hola:\n\nEl paquete del pedido {ref} ha llegado con una esquina aplastada y la "
                "fuente de cerámica que venía dentro está rota. Os adjunto una foto.\n\n"
                "¿Qué puedo hacer?\n{first}",
                attachment="foto-paquete.png",
            ),
            answer(
                "Sentimos mucho lo ocurrido. No hace falta que nos devuelva la fuente rota: hoy "
                "mismo le enviamos otra sin coste, con embalaje reforzado. Recibirá el número de "
                "seguimiento por correo electrónico."
            ),
            ask(
                "Ya tengo la nueva y esta vez ha llegado perfecta. ¡Muchas gracias por la rapidez!"
            ),
            mark(Status.CLOSED),
        ),
    ),
    Script(
        "factura",
        "es",
        "service",
        "delivered",
        (
            ask(
                "Buenos días:\n\nNecesito la factura del pedido {ref} a nombre de mi empresa, "
                "Reformas {last} S.L., para la contabilidad. ¿Me la podéis enviar?\n\n"
                "Gracias,\n{first}"
            ),
            answer(
                "Con mucho gusto. Para emitir la factura a nombre de la empresa necesitamos el "
                "NIF y la dirección fiscal. ¿Nos los puede indicar respondiendo a este mensaje?",
                Status.PENDING1,
            ),
            ask("Claro: NIF B12345678, calle Mayor 8, 2.º B, 28013 Madrid."),
            answer(
                "Ya hemos actualizado sus datos de facturación. Puede descargar la factura a "
                "nombre de Reformas {last} S.L. desde «Historial y detalles de mis pedidos», en "
                "su cuenta."
            ),
        ),
    ),
    Script(
        "pregunta-producto",
        "es",
        "service",
        None,
        (
            ask(
                "Hola:\n\n¿La mochila urbana de 20 litros tiene funda para portátil? El mío es de "
                "15,6 pulgadas. ¿Y es impermeable?\n\nGracias,\n{first}"
            ),
            answer(
                "Sí: la mochila tiene un compartimento acolchado para portátiles de hasta 16 "
                "pulgadas. El tejido resiste la lluvia ligera, aunque no es sumergible, y "
                "en el bolsillo inferior lleva una funda impermeable para los días de mucha "
                "lluvia."
            ),
            ask("¡Genial! Acabo de pedirla.\n\n{first}"),
            mark(Status.CLOSED),
        ),
        product="MOCHILA-URB-20",
    ),
    Script(
        "acceso-cuenta",
        "es",
        "webmaster",
        None,
        (
            ask(
                "Hola:\n\nNo puedo entrar en mi cuenta. Pongo mi correo y mi contraseña y la "
                "página se queda cargando sin hacer nada. Lo he probado desde el móvil y desde "
                "el ordenador.\n\n{first}"
            ),
            note(
                "Reproducido: el inicio de sesión falla con el complemento de chat activado. "
                "Desactivado de momento, aviso a la agencia."
            ),
            answer(
                "Gracias por avisarnos. Un complemento de nuestra web bloqueaba el inicio de "
                "sesión en algunos navegadores y ya lo hemos solucionado. Por favor, vuelva a "
                "intentarlo y díganos si sigue teniendo problemas.",
                Status.PENDING1,
            ),
            ask("Ya funciona, gracias."),
            mark(Status.CLOSED),
        ),
    ),
    Script(
        "codigo-descuento",
        "es",
        "service",
        None,
        (
            ask(
                "Hola:\n\nEstoy intentando usar el código BIENVENIDA10 y me dice que no es "
                "válido. ¿Ha caducado?\n\n{first}"
            ),
            answer(
                "El código BIENVENIDA10 es válido para un primer pedido a partir de 50 € (sin "
                "gastos de envío); por eso no se aplicaba a su carrito. Como compensación, le "
                "hemos creado un código personal, {code}, que puede usar con su carrito actual "
                "durante 14 días."
            ),
        ),
    ),
    Script(
        "cambio-direccion",
        "es",
        "service",
        "just_paid",
        (
            ask(
                "Hola:\n\nAcabo de hacer el pedido {ref} y me he dado cuenta de que va a mi "
                "antigua dirección. ¿Podéis cambiarla a calle de Colón 14, 3.º A, 46004 Valencia, "
                "antes de que salga?\n\n{first}"
            ),
            answer(
                "Su pedido todavía no se había preparado, así que hemos cambiado la dirección de "
                "entrega a calle de Colón 14, 3.º A, 46004 Valencia. Recibirá el número de "
                "seguimiento en cuanto salga del almacén."
            ),
        ),
    ),
    Script(
        "cancelar-pedido",
        "es",
        "service",
        "cancel",
        (
            ask(
                "Hola, por favor, cancelad el pedido {ref}: me equivoqué de color. Haré uno "
                "nuevo.\n\n{first}"
            ),
            answer(
                "Hemos cancelado el pedido {ref} antes de su preparación y le hemos reembolsado "
                "{amount} en su tarjeta. Según su banco, puede tardar unos días en verlo "
                "reflejado."
            ),
        ),
    ),
    Script(
        "falta-articulo",
        "es",
        "service",
        "delivered",
        (
            ask(
                "Hola:\n\nHe recibido el pedido {ref}, pero falta el juego de servilletas de "
                "lino, aunque aparece en el albarán.\n\nUn saludo,\n{first} {last}"
            ),
            answer(
                "Disculpe las molestias. Hemos pedido al almacén que compruebe el peso registrado "
                "del paquete a la salida y le responderemos en un plazo de 48 horas.",
                Status.PENDING2,
            ),
            forward(
                "¿Podéis comprobar el peso de salida de este pedido ({ref})? El cliente dice que "
                "faltan las servilletas de lino.",
                "almacen@logistica.example.org",
            ),
            answer(
                "El almacén confirma que las servilletas se quedaron fuera por error al preparar "
                "el pedido. Se las hemos enviado esta mañana por mensajería con seguimiento "
                "({tracking}). Disculpe las molestias."
            ),
        ),
    ),
    Script(
        "transferencia",
        "es",
        "service",
        "awaiting",
        (
            ask(
                "Hola:\n\nPagué el pedido {ref} por transferencia hace tres días y sigue «En "
                "espera de pago». ¿Os ha llegado?\n\n{first}"
            ),
            answer(
                "Las transferencias suelen tardar entre 1 y 3 días hábiles en llegar. Todavía no "
                "vemos su pago: ¿puede comprobar si incluyó la referencia del pedido ({ref}) en "
                "el concepto? Si lo prefiere, responda a este mensaje con el justificante.",
                Status.PENDING1,
            ),
            ask(
                "Vaya, se me olvidó poner la referencia. Hice una transferencia de {amount} el "
                "lunes a nombre de {first} {last}."
            ),
            answer(
                "Localizada, gracias. Hemos asociado el pago al pedido {ref}, que ya está en "
                "preparación."
            ),
        ),
    ),
    Script(
        "envio-canarias",
        "es",
        "service",
        None,
        (
            ask(
                "Hola, ¿hacéis envíos a Canarias? Vivo en Las Palmas. ¿Hay que pagar algo en la "
                "aduana?\n\n{first}"
            ),
            answer(
                "Sí, enviamos a Canarias en un plazo de 5 a 8 días hábiles. El pedido se factura "
                "sin IVA, y a la entrega el transportista puede cobrar el IGIC y una pequeña "
                "tasa por el despacho de aduana."
            ),
        ),
    ),
    Script(
        "disponibilidad",
        "es",
        "service",
        None,
        (
            ask(
                "Buenas:\n\nLa lámpara de techo de mimbre grande lleva semanas agotada. ¿Sabéis "
                "cuándo volverá a estar disponible?\n\n{first}"
            ),
            answer(
                "Esperamos una nueva remesa del proveedor en unas tres semanas. En la ficha del "
                "producto puede pulsar «Avisarme cuando esté disponible» y le enviaremos un "
                "correo en cuanto vuelva a estar en stock."
            ),
        ),
        product="LAMPARA-MIMBRE-XL",
    ),
    Script(
        "baja-datos",
        "es",
        "webmaster",
        None,
        (
            ask(
                "Hola:\n\nQuiero darme de baja de la newsletter y que borréis mi cuenta y mis "
                "datos personales.\n\n{first} {last}"
            ),
            answer(
                "Hemos eliminado su cuenta y su dirección de correo de todas nuestras listas de "
                "envío. Solo conservamos las facturas de sus pedidos anteriores durante el plazo "
                "que exige la normativa fiscal."
            ),
        ),
    ),
    Script(
        "garantia",
        "es",
        "service",
        "delivered",
        (
            ask(
                "Hola:\n\nEl hervidor eléctrico que compré en el pedido {ref} ha dejado de "
                "funcionar: la luz se enciende, pero no calienta. ¿Está en garantía?\n\n{first}"
            ),
            answer(
                "Sí, el hervidor tiene dos años de garantía. Para tramitarla necesitamos el "
                "modelo y el número de lote que figuran en la placa de características, debajo "
                "del aparato. ¿Nos los puede indicar?",
                Status.PENDING1,
            ),
            ask("Modelo HK-1720, lote 2311. El agua sigue fría después de cinco minutos."),
            note("Enviado al servicio técnico del fabricante (formulario de RMA)."),
            answer(
                "Hemos enviado su caso al servicio técnico del fabricante. En cuanto nos den el "
                "visto bueno, le mandaremos un hervidor nuevo; suelen tardar unos 5 días "
                "hábiles.",
                Status.PENDING2,
            ),
        ),
    ),
)

SCRIPTS: dict[str, tuple[Script, ...]] = {"en": SCRIPTS_EN, "fr": SCRIPTS_FR, "es": SCRIPTS_ES}

# The status an order had reached when the customer wrote about it: (statuses the order goes
# through, index of the status the thread follows, hours from that status to the first message,
# hours from the first message to the next status or None).
STAGES: dict[
    Stage, tuple[tuple[str, ...], int, tuple[float, float], tuple[float, float] | None]
] = {
    "awaiting": (
        ("awaiting", "accepted", "processing", "shipped", "delivered"),
        0,
        (60, 80),
        (2, 10),
    ),
    "just_paid": (("accepted", "processing", "shipped", "delivered"), 0, (0.2, 3), (2, 12)),
    "cancel": (("accepted", "canceled"), 0, (0.3, 5), (1, 6)),
    "in_transit": (("accepted", "processing", "shipped", "delivered"), 2, (120, 200), (20, 70)),
    "delivered": (("accepted", "processing", "shipped", "delivered"), 3, (6, 100), None),
    "refund": (
        ("accepted", "processing", "shipped", "delivered", "refunded"),
        3,
        (24, 150),
        (100, 300),
    ),
}

# Hours before each step of a thread: (shortest, longest).
STEP_DELAY_HOURS: dict[str, tuple[float, float]] = {
    "customer": (2.0, 50.0),
    "reply": (0.4, 20.0),
    "note": (0.1, 2.0),
    "mark": (0.3, 6.0),
    "forward": (0.1, 1.5),
    "assign": (0.05, 2.0),
}

TRACKING_PREFIX = {"en": "", "fr": "6A", "es": ""}
CODE_PREFIX = {"en": "SORRY", "fr": "MERCI", "es": "GRACIAS"}

CONSOLE_LOG = """\
Safari 17.4 (macOS 14.4) - Web Inspector console, after submitting the login form

[Warning] Cookie "PHPSESSID" was rejected because it is in a cross-site context. (login)
[Log] consent-banner.js: storage access denied, retrying in 500 ms
[Log] consent-banner.js: storage access denied, retrying in 500 ms
[Error] Failed to load resource: the server responded with a status of 403 (Forbidden) (login)
[Log] consent-banner.js: giving up after 3 attempts
"""

TRANSFER_NOTICE = (
    "Banque Exemple - Avis d'opération",
    "",
    "Virement SEPA émis",
    "Donneur d'ordre : {first} {last}",
    "Bénéficiaire : {shop}",
    "Montant : {amount}",
    "Libellé : COMMANDE {ref}",
    "",
    "Ce document ne constitue pas un relevé de compte.",
)

# --------------------------------------------------------------------------------------------------
# Small files customers send

ImageFunction = Callable[[int, int], tuple[int, int, int]]


def png_image(width: int, height: int, pixel: ImageFunction) -> bytes:
    """A true-colour PNG, written chunk by chunk."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        checksum = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", checksum)

    rows = b"".join(
        b"\x00" + bytes(value for x in range(width) for value in pixel(x, y)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def crushed_box(x: int, y: int) -> tuple[int, int, int]:
    """Cardboard with a dark crease across it and a white shipping label."""
    if 30 <= x <= 42 and 4 <= y <= 11:
        return (245, 245, 240)
    if abs((x - 8) - y) <= 1:
        return (92, 60, 30)
    shade = (x * 7 + y * 3) % 9
    return (176 - shade, 132 - shade, 84 - shade)


def pdf_document(lines: Sequence[str]) -> bytes:
    """A one-page PDF (Helvetica, A4) showing ``lines``; offsets and xref computed here."""

    def escape(text: str) -> bytes:
        raw = text.encode("cp1252", errors="replace")
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    content = (
        b"BT /F1 12 Tf 16 TL 56 786 Td "
        + b"".join(b"(" + escape(line) + b") ' " for line in lines)
        + b"ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def attachment_content(name: str, values: dict[str, str]) -> tuple[bytes, str]:
    """The bytes and content type of the file a script's customer sends."""
    if name.endswith(".png"):
        return png_image(48, 36, crushed_box), "image/png"
    if name.endswith(".pdf"):
        return pdf_document([line.format_map(values) for line in TRANSFER_NOTICE]), (
            "application/pdf"
        )
    return CONSOLE_LOG.encode(), "text/plain"


# --------------------------------------------------------------------------------------------------
# The plan: everything decided first, in memory, from the seeded generator

StepKind = Literal["open", "assign", "customer", "reply", "note", "mark", "forward"]


@dataclass
class CustomerPlan:
    first_name: str
    last_name: str
    language: str
    is_guest: bool
    email: str
    created_at: datetime
    orders: list[OrderPlan] = field(default_factory=list)
    row: Customer | None = None


@dataclass
class OrderPlan:
    customer: CustomerPlan
    reference: str
    total: Decimal
    created_at: datetime
    history: list[tuple[str, datetime]]
    row: Order | None = None


@dataclass
class Step:
    kind: StepKind
    turn: Turn | None
    at: datetime
    source: Source = Source.FORM
    message_id: str = ""


@dataclass
class ThreadPlan:
    script: Script
    start: datetime
    email: str
    customer: CustomerPlan | None
    order: OrderPlan | None
    values: dict[str, str]
    cut: int
    assign: bool
    ip_address: str
    user_agent: str
    first_source: Source
    steps: list[Step] = field(default_factory=list)
    with_attachment: bool = False

    @property
    def turns(self) -> tuple[Turn, ...]:
        return self.script.turns[: self.cut]


@dataclass
class DemoPlan:
    customers: list[CustomerPlan]
    orders: list[OrderPlan]
    threads: list[ThreadPlan]


def _hours(rng: random.Random, bounds: tuple[float, float]) -> timedelta:
    return timedelta(hours=rng.uniform(*bounds))


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum()).lower()


def _email(rng: random.Random, first: str, last: str, language: str, taken: set[str]) -> str:
    first_part, last_part = _ascii(first), _ascii(last)
    patterns = (
        f"{first_part}.{last_part}",
        f"{first_part}{last_part}",
        f"{first_part[0]}{last_part}",
        f"{first_part}.{last_part}{rng.randint(70, 99)}",
        f"{first_part}_{last_part}",
    )
    local = rng.choice(patterns)
    domain = rng.choice(EMAIL_DOMAINS[language])
    email = f"{local}@{domain}"
    suffix = 2
    while email in taken:
        email = f"{local}{suffix}@{domain}"
        suffix += 1
    taken.add(email)
    return email


def money(amount: Decimal, language: str) -> str:
    text = f"{amount:.2f}"
    if language == "en":
        return f"€{text}"
    return text.replace(".", ",") + "\u00a0€"


def _plan_customers(rng: random.Random, now: datetime, taken: set[str]) -> list[CustomerPlan]:
    customers = []
    for first, last, language, is_guest in CUSTOMERS:
        if is_guest:
            days = rng.uniform(10, 300)  # moved to their order's time when they get one
        elif rng.random() < 0.8:
            days = rng.uniform(240, 730)
        else:
            days = rng.uniform(40, 230)
        customers.append(
            CustomerPlan(
                first_name=first,
                last_name=last,
                language=language,
                is_guest=is_guest,
                email=_email(rng, first, last, language, taken),
                created_at=now - timedelta(days=days),
            )
        )
    return customers


def _order_total(rng: random.Random) -> Decimal:
    items = sum(
        (Decimal(rng.choice(PRICES)) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))),
        Decimal("0"),
    )
    if items < FREE_SHIPPING_FROM:
        items += SHIPPING
    return min(items, LARGEST_ORDER)


def _reference(rng: random.Random, taken: set[str]) -> str:
    while True:
        reference = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(9))
        if reference not in taken:
            taken.add(reference)
            return reference


def _chain_from(
    rng: random.Random, keys: Sequence[str], first_at: datetime
) -> list[tuple[str, datetime]]:
    """Statuses ``keys`` one after the other from ``first_at``, with realistic gaps."""
    history = [(keys[0], first_at)]
    for previous, key in pairwise(keys):
        history.append((key, history[-1][1] + _hours(rng, STATE_GAP_HOURS[(previous, key)])))
    return history


def _until(history: list[tuple[str, datetime]], now: datetime) -> list[tuple[str, datetime]]:
    """What has happened by now (the first status always has)."""
    limit = now - timedelta(minutes=5)
    return history[:1] + [(key, at) for key, at in history[1:] if at < limit]


def _thread_order_history(
    rng: random.Random, stage: Stage, thread_at: datetime, now: datetime
) -> tuple[datetime, list[tuple[str, datetime]]]:
    """(order date, status history) of an order a customer writes about at ``thread_at``."""
    keys, anchor, delay, resume = STAGES[stage]
    if stage in ("in_transit", "delivered", "refund") and rng.random() < 0.2:
        keys, anchor = ("awaiting", *keys), anchor + 1
    gaps = [_hours(rng, STATE_GAP_HOURS[pair]) for pair in pairwise(keys[: anchor + 1])]
    first_at = thread_at - _hours(rng, delay) - sum(gaps, timedelta())
    history = [(keys[0], first_at)]
    for key, gap in zip(keys[1 : anchor + 1], gaps, strict=True):
        history.append((key, history[-1][1] + gap))
    if anchor + 1 < len(keys) and resume is not None:
        history += _chain_from(rng, keys[anchor + 1 :], thread_at + _hours(rng, resume))
    return first_at - timedelta(minutes=rng.uniform(0.5, 3)), _until(history, now)


def _buyer(
    rng: random.Random, customers: list[CustomerPlan], language: str, ordered_at: datetime
) -> CustomerPlan:
    """Who placed an order at ``ordered_at``: a registered customer, or a guest checking out."""
    registered = [
        c
        for c in customers
        if c.language == language
        and not c.is_guest
        and c.created_at < ordered_at - timedelta(days=1)
        and len(c.orders) < 4
    ]
    guests = [c for c in customers if c.language == language and c.is_guest and not c.orders]
    if guests and (not registered or rng.random() < 0.3):
        guest = rng.choice(guests)
        guest.created_at = ordered_at - timedelta(minutes=rng.uniform(3, 25))
        return guest
    if registered:
        return rng.choice(registered)
    oldest = min(
        (c for c in customers if c.language == language and not c.is_guest),
        key=lambda c: c.created_at,
    )
    oldest.created_at = min(oldest.created_at, ordered_at - timedelta(days=30))
    return oldest


def _add_order(
    rng: random.Random,
    customer: CustomerPlan,
    created_at: datetime,
    history: list[tuple[str, datetime]],
    references: set[str],
) -> OrderPlan:
    order = OrderPlan(
        customer=customer,
        reference=_reference(rng, references),
        total=_order_total(rng),
        created_at=created_at,
        history=history,
    )
    customer.orders.append(order)
    return order


def _fill_orders(
    rng: random.Random, customers: list[CustomerPlan], now: datetime, references: set[str]
) -> None:
    """Orders nobody wrote about: 0 to 4 per registered customer, one per guest."""
    weights = [weight for weight, _keys in ORDER_FATES]
    fates = [keys for _weight, keys in ORDER_FATES]
    for customer in customers:
        wanted = 1 if customer.is_guest else rng.choice((0, 0, 1, 1, 1, 2, 2, 3))
        for _ in range(wanted - len(customer.orders)):
            if customer.is_guest:
                created_at = customer.created_at + timedelta(minutes=rng.uniform(3, 25))
            else:
                earliest = customer.created_at + timedelta(days=1)
                span = (now - timedelta(hours=2) - earliest).total_seconds()
                created_at = earliest + timedelta(seconds=span * rng.random() ** 0.8)
            keys = rng.choices(fates, weights)[0]
            first_at = created_at + timedelta(minutes=rng.uniform(0.5, 3))
            history = _until(_chain_from(rng, keys, first_at), now)
            _add_order(rng, customer, created_at, history, references)


def _thread_starts(rng: random.Random, now: datetime) -> list[datetime]:
    """When each conversation began, oldest first: some in the last days, most over months."""
    recent = [rng.uniform(0.04, 3.0) for _ in range(10)]
    older = [3.0 + 177.0 * rng.random() ** 1.6 for _ in range(THREAD_COUNT - len(recent))]
    return sorted(now - timedelta(days=days) for days in recent + older)


def _thread_languages(rng: random.Random) -> list[str]:
    english, french = THREADS_PER_LANGUAGE["en"], THREADS_PER_LANGUAGE["fr"]
    languages = ["en"] * english + ["fr"] * french + ["es"] * (THREAD_COUNT - english - french)
    rng.shuffle(languages)
    return languages


def _cut_points(script: Script) -> list[int]:
    """Where a conversation can stand today: after a customer message or an answer, or done."""
    points = {i + 1 for i, turn in enumerate(script.turns) if turn.kind in ("customer", "reply")}
    points.add(len(script.turns))
    return sorted(points)


def final_status(turns: Sequence[Turn]) -> Status:
    """The status the services leave after ``turns`` (a customer message re-opens)."""
    status = Status.OPEN
    for turn in turns:
        if turn.kind == "customer":
            status = Status.OPEN
        elif turn.kind in ("reply", "mark"):
            status = turn.status
    return status


def _choose_cut(rng: random.Random, script: Script, age: timedelta) -> int:
    points = _cut_points(script)
    if age < timedelta(days=1):
        return 1 if rng.random() < 0.6 else rng.choice(points)
    if age < timedelta(days=4):
        return rng.choice(points)
    stalled = [p for p in points[:-1] if script.turns[p - 1].kind == "reply"]
    if stalled and rng.random() < 0.1:
        return rng.choice(stalled)  # the customer never came back
    return len(script.turns)


def _ensure_every_status(threads: list[ThreadPlan]) -> None:
    """If a status is missing, stop a recent conversation where it has that status."""
    for wanted in Status:
        finals = [final_status(plan.turns) for plan in threads]
        if wanted in finals:
            continue
        for plan in reversed(threads):
            if finals.count(final_status(plan.turns)) < 2:
                continue
            points = _cut_points(plan.script)
            cut = next((p for p in points if final_status(plan.script.turns[:p]) == wanted), None)
            if cut is not None:
                plan.cut = cut
                break


def _plan_steps(rng: random.Random, plan: ThreadPlan, now: datetime) -> list[Step]:
    """The steps of a thread with their times, squeezed to end before now if needed."""
    turns = plan.turns
    kinds: list[tuple[StepKind, Turn | None]] = [("open", turns[0])]
    if plan.assign:
        kinds.append(("assign", None))
    kinds += [(turn.kind, turn) for turn in turns[1:]]
    delays = [_hours(rng, STEP_DELAY_HOURS[kind]) for kind, _turn in kinds[1:]]
    latest = now - timedelta(minutes=rng.uniform(3, 40))
    total = sum(delays, timedelta())
    if total and plan.start + total > latest:
        factor = (latest - plan.start) / total
        delays = [delay * factor for delay in delays]
    domain = plan.email.rpartition("@")[2]
    steps = []
    at = plan.start
    for index, (kind, turn) in enumerate(kinds):
        if index:
            at += delays[index - 1]
        source = plan.first_source
        if kind == "customer":
            source = Source.EMAIL if rng.random() < 0.6 else Source.FORM
        message_id = ""
        if kind in ("open", "customer") and source == Source.EMAIL:
            message_id = f"<{rng.getrandbits(64):016x}.{rng.getrandbits(24):06x}@mail.{domain}>"
        steps.append(Step(kind=kind, turn=turn, at=at, source=source, message_id=message_id))
    return steps


def _plan_threads(
    rng: random.Random,
    now: datetime,
    customers: list[CustomerPlan],
    visitors: dict[str, list[tuple[str, str, str]]],
    references: set[str],
) -> list[ThreadPlan]:
    queues: dict[str, list[Script]] = {language: [] for language in LANGUAGES}
    threads = []
    for start, language in zip(_thread_starts(rng, now), _thread_languages(rng), strict=True):
        if not queues[language]:
            queues[language] = rng.sample(SCRIPTS[language], len(SCRIPTS[language]))
        script = queues[language].pop()
        customer: CustomerPlan | None = None
        order: OrderPlan | None = None
        if script.stage is not None:
            created_at, history = _thread_order_history(rng, script.stage, start, now)
            customer = _buyer(rng, customers, language, created_at)
            order = _add_order(rng, customer, created_at, history, references)
        else:
            known = [
                c
                for c in customers
                if c.language == language
                and not c.is_guest
                and c.created_at < start - timedelta(days=1)
            ]
            if known and rng.random() < 0.65:
                customer = rng.choice(known)
        if customer is not None:
            first, last, email = customer.first_name, customer.last_name, customer.email
        else:
            first, last, email = rng.choice(visitors[language])
        values = {
            "first": first,
            "last": last,
            "ref": order.reference if order else "",
            "amount": money(order.total, language) if order else "",
            "tracking": TRACKING_PREFIX[language] + str(rng.randrange(10**10, 10**11) * 10),
            "code": f"{CODE_PREFIX[language]}-{rng.randrange(16**4):04X}",
            "shop": settings.COMPTOIR_SHOP_NAME,
        }
        source = Source.EMAIL if rng.random() < 0.35 else Source.FORM
        threads.append(
            ThreadPlan(
                script=script,
                start=start,
                email=email,
                customer=customer,
                order=order,
                values=values,
                cut=_choose_cut(rng, script, now - start),
                assign=rng.random() < (0.35 if language == "en" else 0.6),
                ip_address=f"203.0.113.{rng.randint(2, 254)}",
                user_agent=rng.choice(USER_AGENTS),
                first_source=source,
            )
        )
    _ensure_every_status(threads)
    sent: set[str] = set()
    for plan in threads:
        plan.steps = _plan_steps(rng, plan, now)
        if any(turn.attachment for turn in plan.turns) and plan.script.key not in sent:
            plan.with_attachment = True
            sent.add(plan.script.key)
    return threads


def make_plan(seed: int, now: datetime) -> DemoPlan:
    """Everything the demo will contain, decided from ``seed`` without touching the database."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    emails: set[str] = set()
    references: set[str] = set()
    customers = _plan_customers(rng, now, emails)
    visitors: dict[str, list[tuple[str, str, str]]] = {language: [] for language in LANGUAGES}
    for first, last, language in VISITORS:
        visitors[language].append((first, last, _email(rng, first, last, language, emails)))
    threads = _plan_threads(rng, now, customers, visitors, references)
    _fill_orders(rng, customers, now, references)
    orders = [order for customer in customers for order in customer.orders]
    return DemoPlan(customers=customers, orders=orders, threads=threads)


# --------------------------------------------------------------------------------------------------
# Writing it


@dataclass
class Desk:
    """What playing a conversation needs."""

    admin: Employee
    agents: dict[str, Employee]
    contacts: dict[ContactKey, Contact | None]
    default_messages: dict[str, str]
    since: datetime  # rows created from this instant on are ours, to be moved in time


def _create_team(now: datetime, admin_password: str) -> tuple[Employee, dict[str, Employee]]:
    admin: Employee | None = None
    agents: dict[str, Employee] = {}
    for email, first, last, language, is_admin, days in EMPLOYEES:
        employee = employee_create(
            email=email,
            password=admin_password if is_admin else None,
            first_name=first,
            last_name=last,
            role=Role.ADMINISTRATOR if is_admin else Role.AGENT,
            language=language,
        )
        Employee.objects.filter(pk=employee.pk).update(date_joined=now - timedelta(days=days))
        if is_admin:
            admin = employee
        agents[language] = employee
    assert admin is not None
    return admin, agents


def _create_order_states() -> dict[str, OrderState]:
    return {
        key: OrderState.objects.create(name=names, color=color, counts_as_valid=valid)
        for key, (names, color, valid) in ORDER_STATES.items()
    }


def _create_order_messages() -> None:
    for name, text in ORDER_MESSAGES:
        OrderMessage.objects.create(name=name, text=text)


def _create_customers(customers: list[CustomerPlan]) -> None:
    for number, plan in enumerate(sorted(customers, key=lambda c: c.created_at), start=1001):
        plan.row = Customer.objects.create(
            external_id=f"C{number}",
            email=plan.email,
            first_name=plan.first_name,
            last_name=plan.last_name,
            is_guest=plan.is_guest,
            language=plan.language,
            created_at=plan.created_at,
        )


def _create_orders(orders: list[OrderPlan], states: dict[str, OrderState]) -> None:
    history: list[OrderHistory] = []
    for number, plan in enumerate(sorted(orders, key=lambda o: o.created_at), start=5001):
        last_state = states[plan.history[-1][0]]
        assert plan.customer.row is not None
        plan.row = Order.objects.create(
            external_id=f"O{number}",
            reference=plan.reference,
            customer=plan.customer.row,
            created_at=plan.created_at,
            currency="EUR",
            total_paid=plan.total,
            total_paid_shop_currency=plan.total,
            valid=last_state.counts_as_valid,
            language=plan.customer.language,
            current_state=last_state,
        )
        history += [
            OrderHistory(order=plan.row, state=states[key], created_at=at)
            for key, at in plan.history
        ]
    OrderHistory.objects.bulk_create(history)


def _contacts() -> dict[ContactKey, Contact | None]:
    default_contacts_ensure()
    contacts = list(Contact.objects.all())
    webmaster = next((c for c in contacts if c.name.get("en") == "Webmaster"), None)
    service = next(
        (c for c in contacts if c.name.get("en") == "Customer service"),
        next((c for c in contacts if c is not webmaster), None),
    )
    return {"service": service, "webmaster": webmaster}


def with_default_message(default_message: str, body: str) -> str:
    """``body`` between the greeting and the closing of the desk's default message."""
    greeting, blank, closing = default_message.strip().partition("\n\n")
    if not greeting:
        return body
    if not blank:
        return f"{greeting}\n\n{body}"
    return f"{greeting}\n\n{body}\n\n{closing}"


def _incoming(plan: ThreadPlan, step: Step, thread_id: int | None) -> CustomerMessage:
    assert step.turn is not None
    in_reply_to = references = ""
    if thread_id is not None and step.source == Source.EMAIL:
        ids = list(
            Message.objects.filter(thread_id=thread_id)
            .exclude(message_id="")
            .order_by("created_at", "id")
            .values_list("message_id", flat=True)
        )[-10:]
        in_reply_to, references = (ids[-1] if ids else ""), " ".join(ids)
    from_form = step.source == Source.FORM
    return CustomerMessage(
        text=step.turn.text.format_map(plan.values),
        source=step.source,
        ip_address=plan.ip_address if from_form else None,
        user_agent=plan.user_agent if from_form else "",
        message_id=step.message_id,
        in_reply_to=in_reply_to,
        references=references,
    )


def _attachments(plan: ThreadPlan, turn: Turn) -> list[Attachment]:
    if not (turn.attachment and plan.with_attachment):
        return []
    data, content_type = attachment_content(turn.attachment, plan.values)
    return [
        attachment_store(
            content=io.BytesIO(data), original_name=turn.attachment, content_type=content_type
        )
    ]


def _stamp(thread_id: int, at: datetime, since: datetime) -> None:
    """Move what the last step created (stamped "now" by the services) to its planned time."""
    Message.objects.filter(thread_id=thread_id, created_at__gte=since).update(created_at=at)
    Message.objects.filter(thread_id=thread_id, read_at__gte=since).update(read_at=at)
    Attachment.objects.filter(message__thread_id=thread_id, created_at__gte=since).update(
        created_at=at
    )
    ThreadEvent.objects.filter(thread_id=thread_id, created_at__gte=since).update(created_at=at)
    OutboundEmail.objects.filter(thread_id=thread_id, created_at__gte=since).update(
        created_at=at,
        next_attempt_at=at,
        status=EmailStatus.SENT,
        attempts=1,
        sent_at=at + timedelta(seconds=4),
    )


def _settle(thread_id: int, created_at: datetime) -> None:
    """Recompute the values a thread derives from its messages, from their moved times."""
    messages = list(
        Message.objects.filter(thread_id=thread_id)
        .order_by("created_at", "id")
        .values_list("author", "private", "created_at")
    )
    from_customer = [at for author, _private, at in messages if author == Author.CUSTOMER]
    from_employee = [at for author, _private, at in messages if author == Author.EMPLOYEE]
    first_customer = from_customer[0] if from_customer else None
    first_response = None
    if first_customer is not None:
        first_response = next(
            (
                at
                for author, private, at in messages
                if author == Author.EMPLOYEE and not private and at >= first_customer
            ),
            None,
        )
    events = ThreadEvent.objects.filter(thread_id=thread_id)
    status_changed = (
        events.filter(kind__in=[EventKind.STATUS, EventKind.REOPENED])
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    last_event = events.aggregate(last=Max("created_at"))["last"] or created_at
    Thread.objects.filter(pk=thread_id).update(
        created_at=created_at,
        last_message_at=messages[-1][2],
        last_customer_message_at=from_customer[-1] if from_customer else None,
        last_employee_message_at=from_employee[-1] if from_employee else None,
        first_customer_message_at=first_customer,
        first_response_at=first_response,
        status_changed_at=status_changed or created_at,
        updated_at=max(messages[-1][2], last_event),
    )


def _play(plan: ThreadPlan, desk: Desk) -> int:
    """Write one conversation through the services, step by step; returns the thread's id."""
    language = plan.script.language
    agent = desk.agents[language]
    assignee: Employee | None = None
    thread_id: int | None = None
    for step in plan.steps:
        turn = step.turn
        if step.kind == "open":
            assert turn is not None
            thread, _message = thread_open(
                email=plan.email,
                incoming=_incoming(plan, step, None),
                language=language,
                contact=desk.contacts[plan.script.contact],
                customer=plan.customer.row if plan.customer else None,
                order=plan.order.row if plan.order else None,
                product_reference=plan.script.product,
                attachments=_attachments(plan, turn),
            )
            thread_id = thread.pk
        else:
            assert thread_id is not None
            thread = Thread.objects.get(pk=thread_id)
            actor = assignee or agent
            if step.kind == "assign":
                thread_assign(thread=thread, employee=desk.admin, assignee=agent)
                assignee = agent
            elif step.kind == "customer":
                assert turn is not None
                thread_receive(
                    thread=thread,
                    incoming=_incoming(plan, step, thread_id),
                    attachments=_attachments(plan, turn),
                )
            else:
                assert turn is not None
                thread_mark_read(thread=thread, employee=actor)
                assignee = _employee_step(plan, desk, thread, actor, turn) or assignee
        _stamp(thread_id, step.at, desk.since)
    assert thread_id is not None
    _settle(thread_id, plan.steps[0].at)
    return thread_id


def _employee_step(
    plan: ThreadPlan, desk: Desk, thread: Thread, actor: Employee, turn: Turn
) -> Employee | None:
    """An answer, a note, a status or a forward; returns the new assignee if it changed."""
    text = turn.text.format_map(plan.values)
    if turn.kind == "reply":
        default_message = desk.default_messages[plan.script.language]
        thread_reply(
            thread=thread,
            employee=actor,
            text=with_default_message(default_message, text),
            status_after=turn.status,
        )
    elif turn.kind == "note":
        thread_note(thread=thread, employee=actor, text=text)
    elif turn.kind == "mark":
        thread_set_status(thread=thread, employee=actor, status=turn.status)
    elif turn.kind == "forward":
        if turn.forward_to == "admin":
            if actor.pk == desk.admin.pk:
                return None
            thread_forward(thread=thread, employee=actor, comment=text, to_employee=desk.admin)
            return desk.admin
        thread_forward(thread=thread, employee=actor, comment=text, to_email=turn.forward_to)
    return None


def demo_load(*, admin_password: str, seed: int = 7) -> str:
    """Load the demo shop in one transaction; returns a one-line summary of what was created."""
    since = timezone.now()
    now = since - timedelta(minutes=1)
    plan = make_plan(seed, now)
    with transaction.atomic():
        admin, agents = _create_team(now, admin_password)
        states = _create_order_states()
        _create_order_messages()
        _create_customers(plan.customers)
        _create_orders(plan.orders, states)
        options = DeskSettings.load()
        desk = Desk(
            admin=admin,
            agents=agents,
            contacts=_contacts(),
            default_messages={lang: options.default_message_in(lang) for lang in LANGUAGES},
            since=since,
        )
        thread_ids = [_play(thread_plan, desk) for thread_plan in plan.threads]
        # Anything a service queued that no step moved (none today): recorded as sent as well.
        OutboundEmail.objects.filter(thread_id__in=thread_ids, status=EmailStatus.QUEUED).update(
            status=EmailStatus.SENT, attempts=1, sent_at=now
        )
        messages = Message.objects.filter(thread_id__in=thread_ids).count()
    return (
        f"{len(plan.customers)} customers, {len(plan.orders)} orders, {len(thread_ids)} threads, "
        f"{messages} messages, {len(EMPLOYEES)} employees"
    )
