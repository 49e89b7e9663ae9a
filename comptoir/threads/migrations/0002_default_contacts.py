"""The two contacts every shop starts with (REFERENCE A1), both saving messages."""

from django.db import migrations

from comptoir.threads.defaults import default_contacts_create


def create_contacts(apps, schema_editor):
    default_contacts_create(apps.get_model("threads", "Contact"))


class Migration(migrations.Migration):
    dependencies = [("threads", "0001_initial")]
    operations = [migrations.RunPython(create_contacts, migrations.RunPython.noop)]
