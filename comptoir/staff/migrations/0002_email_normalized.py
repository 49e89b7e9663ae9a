"""Addresses stored in their one form (``comptoir/lib/addresses.py``): the column compares
exactly (binary collation on MariaDB), and the rows written before are rewritten."""

import sys

from django.db import migrations

import comptoir.lib.addresses
from comptoir.lib.addresses import email_column_normalize


def normalize(apps, schema_editor):
    for kept in email_column_normalize(apps.get_model("staff", "Employee")):
        sys.stderr.write(f"Employee: {kept} belongs to another row, left as it was\n")


class Migration(migrations.Migration):

    dependencies = [
        ('staff', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='employee',
            name='email',
            field=comptoir.lib.addresses.AddressField(max_length=254, unique=True, verbose_name='e-mail address'),
        ),
        migrations.RunPython(normalize, migrations.RunPython.noop, elidable=False),
    ]
