"""A stored message's bytes in a row of their own (``InboundRaw``), copied from the old column."""

import django.db.models.deletion
from django.db import migrations, models


# Rows, not schema: through a cursor (MariaDB's schema editor refuses statements in the
# transaction RunPython opens there).
def raw_apart(apps, schema_editor):
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote('mail_inboundraw')} ({quote('inbound_id')}, {quote('raw')}) "
            f"SELECT {quote('id')}, {quote('raw')} FROM {quote('mail_inboundmail')}"
        )


def raw_back(apps, schema_editor):
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote('mail_inboundmail')} SET {quote('raw')} = (SELECT r.{quote('raw')} "
            f"FROM {quote('mail_inboundraw')} r WHERE r.{quote('inbound_id')} = "
            f"{quote('mail_inboundmail')}.{quote('id')})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0002_mailbox_and_inbound_mail"),
    ]

    operations = [
        migrations.CreateModel(
            name="InboundRaw",
            fields=[
                (
                    "inbound",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="content",
                        serialize=False,
                        to="mail.inboundmail",
                    ),
                ),
                ("raw", models.BinaryField()),
            ],
        ),
        migrations.RunPython(raw_apart, raw_back),
        # Back: the column returns empty, then the bytes are copied into it.
        migrations.AlterField(
            model_name="inboundmail",
            name="raw",
            field=models.BinaryField(default=b""),
        ),
        migrations.RemoveField(
            model_name="inboundmail",
            name="raw",
        ),
    ]
