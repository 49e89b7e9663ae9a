"""What a new shop starts with: the two default contacts (REFERENCE A1)."""

from __future__ import annotations

from django.conf import settings

from comptoir.threads.models import Contact

DEFAULT_CONTACTS = [
    {
        "name": {"en": "Webmaster", "fr": "Webmaster", "es": "Webmaster"},
        "description": {
            "en": "If a technical problem occurs on this website",
            "fr": "En cas de problème technique sur ce site",
            "es": "Si se produce un problema técnico en este sitio web",
        },
    },
    {
        "name": {
            "en": "Customer service",
            "fr": "Service client",
            "es": "Servicio de Atención al cliente",
        },
        "description": {
            "en": "For any question about a product, an order",
            "fr": "Pour toute question sur un produit, une commande",
            "es": "Para cualquier pregunta sobre un producto o un pedido",
        },
    },
]


def default_contacts_create(contact_model: type[Contact]) -> None:
    """Create the default contacts when there is no contact at all.

    Takes the model class so the data migration can pass its historical model.
    """
    if contact_model.objects.exists():
        return
    for position, contact in enumerate(DEFAULT_CONTACTS):
        contact_model.objects.create(
            name=contact["name"],
            description=contact["description"],
            email=settings.DEFAULT_FROM_EMAIL,
            save_messages=True,
            position=position,
        )


def default_contacts_ensure() -> None:
    """Create the default contacts when the shop has no contact at all."""
    default_contacts_create(Contact)
