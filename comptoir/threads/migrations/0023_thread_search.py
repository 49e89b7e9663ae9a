"""Threads' search documents (``threads.search``) and each database's full-text index on them,
built for the existing threads in batches.

The indexes are the databases' own, unknown to the ORM:
- PostgreSQL: ``unaccent`` (created if missing; without the right to create it, a function that
  leaves the text as it is, so accents then count), a ``vector`` column generated in the thread's
  language and a GIN index on it. Every run of characters other than letters and digits is a
  space first, as SQLite and MariaDB split words: PostgreSQL's parser would keep an address or
  a file name as one word and drop what looks like an HTML tag;
- SQLite: an FTS5 table with the document as external content, kept by three triggers (a later
  migration that rebuilds ``threads_threadsearch`` must create them again);
- MariaDB: a FULLTEXT index built without stop words, on a column whose collation folds case
  and accents.
"""

import django.db.models.deletion
from django.db import migrations, models

CHUNK = 1000

POSTGRES_UNACCENT = """
CREATE OR REPLACE FUNCTION comptoir_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
"""
POSTGRES_NO_UNACCENT = """
CREATE OR REPLACE FUNCTION comptoir_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT $1 $$
"""
POSTGRES = [
    """ALTER TABLE threads_threadsearch ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        to_tsvector(CASE language WHEN 'en' THEN 'english'::regconfig
            WHEN 'fr' THEN 'french'::regconfig WHEN 'es' THEN 'spanish'::regconfig
            ELSE 'simple'::regconfig END,
            comptoir_unaccent(regexp_replace(document, '[^[:alnum:]]+', ' ', 'g')))) STORED""",
    "CREATE INDEX threads_threadsearch_vector ON threads_threadsearch USING gin (vector)",
]
SQLITE = [
    """CREATE VIRTUAL TABLE threads_thread_search_fts USING fts5(document,
        content='threads_threadsearch', content_rowid='thread_id',
        tokenize="unicode61 remove_diacritics 2")""",
    """CREATE TRIGGER threads_threadsearch_insert AFTER INSERT ON threads_threadsearch BEGIN
        INSERT INTO threads_thread_search_fts(rowid, document) VALUES (new.thread_id, new.document);
    END""",
    """CREATE TRIGGER threads_threadsearch_delete AFTER DELETE ON threads_threadsearch BEGIN
        INSERT INTO threads_thread_search_fts(threads_thread_search_fts, rowid, document)
        VALUES ('delete', old.thread_id, old.document);
    END""",
    """CREATE TRIGGER threads_threadsearch_update AFTER UPDATE ON threads_threadsearch BEGIN
        INSERT INTO threads_thread_search_fts(threads_thread_search_fts, rowid, document)
        VALUES ('delete', old.thread_id, old.document);
        INSERT INTO threads_thread_search_fts(rowid, document) VALUES (new.thread_id, new.document);
    END""",
]
MARIADB = [
    """ALTER TABLE threads_threadsearch MODIFY document LONGTEXT
        CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci NOT NULL""",
    "SET SESSION innodb_ft_enable_stopword = 0",
    "ALTER TABLE threads_threadsearch ADD FULLTEXT INDEX threads_threadsearch_document (document)",
]


def engine_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SAVEPOINT comptoir_unaccent")
            try:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
                cursor.execute("RELEASE SAVEPOINT comptoir_unaccent")
                unaccent = POSTGRES_UNACCENT
            except Exception:  # not installed, or no right to create it
                cursor.execute("ROLLBACK TO SAVEPOINT comptoir_unaccent")
                unaccent = POSTGRES_NO_UNACCENT
        statements = [unaccent, *POSTGRES]
    else:
        statements = {"sqlite": SQLITE, "mysql": MARIADB}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def engine_index_drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS threads_thread_search_fts")


def fill(apps, schema_editor):
    """Every thread's document, as ``threads.search_index.search_documents`` builds it."""
    Thread = apps.get_model("threads", "Thread")
    Message = apps.get_model("threads", "Message")
    ThreadSearch = apps.get_model("threads", "ThreadSearch")
    last = 0
    while True:
        heads = list(
            Thread.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list(
                "pk",
                "language",
                "email",
                "customer__first_name",
                "customer__last_name",
                "order__reference",
                "product_reference",
            )[:CHUNK]
        )
        if not heads:
            return
        ids = [row[0] for row in heads]
        texts = {}
        messages = Message.objects.filter(thread_id__in=ids).order_by("thread_id", "id")
        for thread_id, text in messages.values_list("thread_id", "text"):
            texts.setdefault(thread_id, []).append(text)
        ThreadSearch.objects.bulk_create(
            ThreadSearch(
                thread_id=pk,
                language=language,
                document="\n".join(
                    [
                        " ".join(p for p in (first, last_name, email, order, product) if p),
                        *texts.get(pk, ()),
                    ]
                )[:100_000],
            )
            for pk, language, email, first, last_name, order, product in heads
        )
        last = ids[-1]


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0006_email_normalized"),
        ("threads", "0022_thread_snooze_and_employee_alerts"),
    ]

    operations = [
        migrations.CreateModel(
            name="ThreadSearch",
            fields=[
                (
                    "thread",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="threads.thread",
                    ),
                ),
                ("language", models.CharField(blank=True, max_length=8)),
                ("document", models.TextField(blank=True)),
            ],
        ),
        # Not in a transaction of its own: MariaDB cannot roll DDL back.
        migrations.RunPython(engine_index, engine_index_drop, atomic=False, elidable=False),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
