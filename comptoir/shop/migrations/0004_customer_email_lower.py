"""An index on LOWER(email) for looking customers up by address whatever its case.

Written as SQL for SQLite and PostgreSQL only: MariaDB has no expression indexes, and needs none
(its case-insensitive collation lets the email index serve the lookup).
"""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS customer_email_lower ON shop_customer (LOWER(email))"
DROP = "DROP INDEX IF EXISTS customer_email_lower"


def create(apps, schema_editor):
    if schema_editor.connection.vendor in {"sqlite", "postgresql"}:
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in {"sqlite", "postgresql"}:
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_updated_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
