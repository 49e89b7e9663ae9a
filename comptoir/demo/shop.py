"""What the demo shop is, whatever the language: its team, order statuses, prices and browsers.

The people, the predefined messages and the conversations of each language are data files
(``languages/<language>.toml``, read by ``languages.py``).
"""

from __future__ import annotations

from decimal import Decimal

DEMO_ADMIN_EMAIL = "admin@comptoir.test"

LANGUAGES = ("en", "fr", "es")

# (e-mail, first name, last name, language, administrator?, days since they joined)
EMPLOYEES: tuple[tuple[str, str, str, str, bool, int], ...] = (
    (DEMO_ADMIN_EMAIL, "Camille", "Martin", "en", True, 790),
    ("lucie@comptoir.test", "Lucie", "Bernard", "fr", False, 430),
    ("javier@comptoir.test", "Javier", "Ortega", "es", False, 260),
)

# Order statuses, as PrestaShop colours them. key: (names, colour, counts as a valid order)
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


def money(amount: Decimal, language: str) -> str:
    text = f"{amount:.2f}"
    if language == "en":
        return f"€{text}"
    return text.replace(".", ",") + "\u00a0€"
