"""The two contacts every shop starts with (REFERENCE A1), both saving messages."""

from django.conf import settings
from django.db import migrations

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
        "name": {"en": "Customer service", "fr": "Service client", "es": "Servicio al cliente"},
        "description": {
            "en": "For any question about a product, an order",
            "fr": "Pour toute question sur un produit, une commande",
            "es": "Para cualquier pregunta sobre un producto o un pedido",
        },
    },
]


def create_contacts(apps, schema_editor):
    Contact = apps.get_model("threads", "Contact")
    if Contact.objects.exists():
        return
    for position, contact in enumerate(DEFAULT_CONTACTS):
        Contact.objects.create(
            name=contact["name"],
            description=contact["description"],
            email=settings.DEFAULT_FROM_EMAIL,
            save_messages=True,
            position=position,
        )


class Migration(migrations.Migration):
    dependencies = [("threads", "0001_initial")]
    operations = [migrations.RunPython(create_contacts, migrations.RunPython.noop)]
