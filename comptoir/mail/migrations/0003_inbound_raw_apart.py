"""A stored message's bytes in a row of their own (``InboundRaw``), copied from the old column."""

import django.db.models.deletion
from django.db import migrations, models


def _execute(schema_editor, sql):
    # Rows, not schema: through a cursor (MariaDB's schema editor refuses statements in the
    # transaction RunPython opens there).
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def raw_apart(apps, schema_editor):
    q = schema_editor.quote_name
    _execute(
        schema_editor,
        f"INSERT INTO {q('mail_inboundraw')} ({q('inbound_id')}, {q('raw')}) "
        f"SELECT {q('id')}, {q('raw')} FROM {q('mail_inboundmail')}",
    )


def raw_back(apps, schema_editor):
    q = schema_editor.quote_name
    _execute(
        schema_editor,
        f"UPDATE {q('mail_inboundmail')} SET {q('raw')} = (SELECT r.{q('raw')} "
        f"FROM {q('mail_inboundraw')} r WHERE r.{q('inbound_id')} = "
        f"{q('mail_inboundmail')}.{q('id')})",
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
