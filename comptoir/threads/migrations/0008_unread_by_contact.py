"""Each contact's unread threads as a counter (the contact boxes read them instead of counting)."""

from django.db import migrations
from django.db.models import Count


def count(apps, schema_editor):
    Thread = apps.get_model("threads", "Thread")
    Contact = apps.get_model("threads", "Contact")
    DeskCounter = apps.get_model("threads", "DeskCounter")
    values = {f"unread:contact:{pk}": 0 for pk in Contact.objects.values_list("pk", flat=True)}
    values["unread:contact:none"] = 0
    unread = Thread.objects.filter(is_unread=True).values_list("contact").annotate(n=Count("id"))
    for contact_id, n in unread.order_by():
        name = f"unread:contact:{contact_id}" if contact_id is not None else "unread:contact:none"
        values[name] = n
    for name, value in values.items():
        DeskCounter.objects.update_or_create(name=name, defaults={"value": value})


class Migration(migrations.Migration):
    dependencies = [("threads", "0007_rate_counter")]

    operations = [migrations.RunPython(count, migrations.RunPython.noop)]
