"""The default "Customer service" contact takes the user guide's Spanish name (issue 19).

Only a contact still named as the first data migration named it is renamed: a name an
administrator chose stays.
"""

from django.db import migrations

OLD, NEW = "Servicio al cliente", "Servicio de Atención al cliente"


def rename(apps, schema_editor, old=OLD, new=NEW):
    Contact = apps.get_model("threads", "Contact")
    for contact in Contact.objects.all():
        if contact.name.get("en") == "Customer service" and contact.name.get("es") == old:
            contact.name = {**contact.name, "es": new}
            contact.save(update_fields=["name"])


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [("threads", "0008_unread_by_contact")]
    operations = [migrations.RunPython(rename, rename_back)]
