"""Addresses stored in their one form (``comptoir/lib/addresses.py``): the column compares
exactly (binary collation on MariaDB), and the rows written before are rewritten."""

import sys

from django.db import migrations

import comptoir.lib.addresses
from comptoir.lib.addresses import email_column_normalize


def normalize(apps, schema_editor):
    for kept in email_column_normalize(apps.get_model("threads", "Contact")):
        sys.stderr.write(f"Contact: {kept} belongs to another row, left as it was\n")
    for kept in email_column_normalize(apps.get_model("threads", "Thread")):
        sys.stderr.write(f"Thread: {kept} belongs to another row, left as it was\n")


class Migration(migrations.Migration):

    dependencies = [
        ('threads', '0010_thread_link_secret_and_merge'),
    ]

    operations = [
        migrations.AlterField(
            model_name='contact',
            name='email',
            field=comptoir.lib.addresses.AddressField(blank=True, max_length=254, verbose_name='e-mail address'),
        ),
        migrations.AlterField(
            model_name='thread',
            name='email',
            field=comptoir.lib.addresses.AddressField(max_length=254, verbose_name='e-mail address'),
        ),
        migrations.RunPython(normalize, migrations.RunPython.noop, elidable=False),
    ]
