"""Addresses stored in their one form (``comptoir/lib/addresses.py``): the column compares
exactly (binary collation on MariaDB), and the rows written before are rewritten.
The LOWER(email) index of 0004 is dropped: lookups compare the stored form through the email index.
"""

import sys

from django.db import migrations

import comptoir.lib.addresses
from comptoir.lib.addresses import email_column_normalize


def normalize(apps, schema_editor):
    for kept in email_column_normalize(apps.get_model("shop", "Customer")):
        sys.stderr.write(f"Customer: {kept} belongs to another row, left as it was\n")


def drop_lower_index(apps, schema_editor):
    if schema_editor.connection.vendor in {"sqlite", "postgresql"}:
        schema_editor.execute("DROP INDEX IF EXISTS customer_email_lower")


def create_lower_index(apps, schema_editor):
    if schema_editor.connection.vendor in {"sqlite", "postgresql"}:
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS customer_email_lower ON shop_customer (LOWER(email))"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('shop', '0005_customer_name_folded'),
    ]

    operations = [
        migrations.AlterField(
            model_name='customer',
            name='email',
            field=comptoir.lib.addresses.AddressField(db_index=True, max_length=254, verbose_name='e-mail address'),
        ),
        migrations.RunPython(normalize, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(drop_lower_index, create_lower_index, elidable=False),
    ]
