"""The threads' search documents, which each database's full-text engine indexes
(``threads.search`` searches them).

A thread's document (``ThreadSearch``: customer name and address, order and product references,
every message's own text, notes included, quoted history left out) is rebuilt by
``thread_search_refresh`` in the transaction that changes what it holds; ``search_rebuild``
builds them all again (the ``search_rebuild`` command); ``search_index_purge`` drops what an
index still holds of erased documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import TextIOBase
from typing import TextIO

from django.db import connection, transaction

from comptoir.threads.models import Message, Thread, ThreadSearch

# A document past this is cut (PostgreSQL refuses a tsvector over 1 MB).
MAX_DOCUMENT = 100_000


def search_documents(thread_ids: Sequence[int]) -> list[ThreadSearch]:
    """The search rows of these threads, built from the database (two queries)."""
    heads = Thread.objects.filter(pk__in=thread_ids).values_list(
        "pk",
        "language",
        "email",
        "customer__first_name",
        "customer__last_name",
        "order__reference",
        "product_reference",
    )
    texts: dict[int, list[str]] = {}
    messages = Message.objects.filter(thread_id__in=thread_ids).order_by("thread_id", "id")
    for thread_id, text in messages.values_list("thread_id", "text"):
        texts.setdefault(thread_id, []).append(text)
    rows = []
    for pk, language, email, first, last, order, product in heads:
        head = " ".join(part for part in (first, last, email, order, product) if part)
        rows.append(search_row(pk, language, head, texts.get(pk, ())))
    return rows


def search_row(thread_id: int, language: str, head: str, texts: Iterable[str]) -> ThreadSearch:
    """One search row (also the generator's fast path: no query)."""
    document = "\n".join([head, *texts])[:MAX_DOCUMENT]
    return ThreadSearch(thread_id=thread_id, language=language, document=document)


def thread_search_refresh(*, thread_ids: Iterable[int]) -> None:
    """Rebuild the search rows of these threads (call it in the transaction that changed them;
    a deleted thread's row goes by cascade)."""
    ids = sorted(set(thread_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        ThreadSearch.objects.filter(thread_id__in=chunk).delete()
        ThreadSearch.objects.bulk_create(search_documents(chunk))


def search_index_purge() -> None:
    """Drop what the index still holds of deleted documents (an erasure): FTS5 keeps a deleted
    document's words in its segments until they are merged, so SQLite merges them all now (the
    whole index rewritten: seconds at 10^6 threads, for a rare action). PostgreSQL and MariaDB
    take the words out of their indexes with the row."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            table = "threads_thread_search_fts"
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608


def search_rebuild(*, batch: int = 1000, progress: TextIOBase | TextIO | None = None) -> int:
    """Every thread's search row again, in batches (the ``search_rebuild`` command, the
    migration); returns how many threads. ``progress``: where to draw a progress bar."""
    ids = list(Thread.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            thread_search_refresh(thread_ids=ids[start : start + batch])
        if progress is not None:
            done = min(start + batch, len(ids))
            width = 30
            filled = width * done // max(len(ids), 1)
            progress.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{len(ids)}")
            progress.flush()
    if progress is not None:
        progress.write("\n")
    return len(ids)
