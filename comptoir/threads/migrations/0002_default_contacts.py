"""The two contacts every shop starts with (REFERENCE A1), both saving messages."""

from django.conf import settings
from django.db import migrations

from comptoir.threads.defaults import DEFAULT_CONTACTS

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
