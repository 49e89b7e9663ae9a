"""The customer's name without case or accents (``name_folded``), filled for existing customers.

The desk's Customer filter and search box match it, so "fernandez" finds "Fernández". On SQLite
adding the column rebuilds the table, which drops the LOWER(email) index of 0004 (Django does not
know it): it is made again.
"""

from django.db import migrations, models

from comptoir.lib.fold import fold

CHUNK = 2000
EMAIL_LOWER = "CREATE INDEX IF NOT EXISTS customer_email_lower ON shop_customer (LOWER(email))"


def fill(apps, schema_editor):
    Customer = apps.get_model("shop", "Customer")
    last = 0
    while True:
        rows = list(
            Customer.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "first_name", "last_name")[:CHUNK]
        )
        if not rows:
            return
        for row in rows:
            row.name_folded = fold(f"{row.first_name} {row.last_name}".strip())
        Customer.objects.bulk_update(rows, ["name_folded"], batch_size=500)
        last = rows[-1].pk


def email_index(apps, schema_editor):
    if schema_editor.connection.vendor in {"sqlite", "postgresql"}:
        schema_editor.execute(EMAIL_LOWER)


class Migration(migrations.Migration):
    dependencies = [("shop", "0004_customer_email_lower")]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="name_folded",
            field=models.CharField(blank=True, editable=False, max_length=301),
        ),
        migrations.RunPython(email_index, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
