"""SQLite: the FTS5 index's own list of its words (``fts5vocab``), which a search reads to turn
the word being typed into the words it begins (``threads.search._sqlite_forms``). Nothing is
stored: the table reads the index. PostgreSQL and MariaDB need nothing."""

from django.db import migrations

VOCABULARY = (
    "CREATE VIRTUAL TABLE threads_thread_search_vocab "
    "USING fts5vocab(threads_thread_search_fts, 'row')"
)


def vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(VOCABULARY)


def vocabulary_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS threads_thread_search_vocab")


class Migration(migrations.Migration):
    dependencies = [("threads", "0024_outbound_email_claimed_by_worker")]

    operations = [migrations.RunPython(vocabulary, vocabulary_drop, elidable=False)]
