"""The full-text index asked first, on PostgreSQL and MariaDB (``index_probe``).

Their plans for a ranked page test each thread's document, newest first, until 200 match: fast
for a common word, a walk of every thread for a rare one (an order number, an address). So the
index is asked first for up to 201 matches; when it holds no more, those are all of them. For a
common word that probe is wasted work, and each database says so its own way: PostgreSQL's
statistics (``_postgresql_common``, an ``EXPLAIN`` estimate), MariaDB's own earlier answer
(remembered in Django's cache). See docs/DECISIONS.md, "Issue 20".
"""

from __future__ import annotations

import hashlib
import json
import re

from django.core.cache import cache
from django.db import connection

from comptoir.threads.search import SearchQuery, _mysql_parts, _postgresql_query


def index_probe(query: SearchQuery, limit: int) -> dict[int, float] | None:
    """PostgreSQL and MariaDB: up to ``limit`` threads holding the words, in no order, straight
    from the full-text index, as {id: score} (MariaDB's MATCH score; 0 on PostgreSQL, whose
    ``ts_rank`` is read apart). Fewer than ``limit``: every match. None: no index can tell
    (MariaDB, words all shorter than its index's minimum)."""
    many = ""  # MariaDB: the cache key saying the words had more than ``limit`` matches
    if connection.vendor == "postgresql":
        if _postgresql_common(query, limit):
            return None
        tsquery, params = _postgresql_query(query)
        sql = f"SELECT thread_id, 0.0 FROM threads_threadsearch WHERE vector @@ {tsquery} LIMIT %s"  # noqa: S608 — constants
    else:
        parts, short = _mysql_parts(query.terms)
        if not parts:
            return None
        # A bare MATCH in the WHERE clause is what reads the FULLTEXT index (Django's filter
        # would compare it with TRUE). Short words: letters and digits, matched in the text.
        words = " ".join(parts)
        many = _MANY_KEY + hashlib.sha256("\0".join([words, *short]).encode()).hexdigest()[:40]
        if (cache.get(many) or 0) >= limit:
            return None  # more than ``limit`` matches a moment ago: not worth asking again
        sql = (
            "SELECT thread_id, MATCH(document) AGAINST (%s IN BOOLEAN MODE) "
            "FROM threads_threadsearch WHERE MATCH(document) AGAINST (%s IN BOOLEAN MODE)"
            + " AND document LIKE %s" * len(short)
            + " LIMIT %s"
        )
        params = [words, words, *(f"%{word}%" for word in short)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        found = {pk: score or 0.0 for pk, score in cursor.fetchall()}
    if many and len(found) >= limit:
        cache.set(many, limit, _MANY_SECONDS)
    return found


# MariaDB: words found to have more matches than the probe asks for are remembered for a while
# (Django's cache), and not probed again. Its FULLTEXT index gives no estimate, and it evaluates
# the whole query in each statement: the probe of a common word was a third of a search page
# at 10^6 threads (233 ms of 605). A word that became rare since only costs the walk.
_MANY_KEY = "search:many:"
_MANY_SECONDS = 10 * 60


# A word the planner expects in more than this share of the documents is not looked for in the
# index first: it is in far more than a page's threads (a word below about 1 % of the sampled
# documents has no statistics, and is expected in 0.4 % of them per spelling looked for).
_COMMON_SHARE = 0.05
# A lexeme of a tsquery's text, quoted (a quote inside doubled), and its prefix mark.
LEXEME = re.compile(r"('(?:[^']|'')*')(?::\*)?")


def _postgresql_common(query: SearchQuery, limit: int) -> bool:
    """Whether PostgreSQL's statistics say the words are in many documents (``EXPLAIN``: its
    estimate, beside the table's size, read with no row). For such a word the probe is a scan
    that stops only after 200 matches, 4–9 ms of a page at 10^6 threads for nothing.

    Asked of the whole words, not the word being typed: a prefix is estimated from the share of
    every frequent word it begins, far too low, while the whole word is estimated from its own
    frequency; what begins with it is found at least as often."""
    if not query.tsquery:
        return False  # not prepared: no literal for the planner to estimate
    sql = (
        "EXPLAIN (FORMAT JSON) SELECT 1 FROM threads_threadsearch WHERE vector @@ %s::tsquery "
        "UNION ALL SELECT 1 FROM threads_threadsearch"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [LEXEME.sub(r"\1", query.tsquery)])
        (plan,) = cursor.fetchone()
    document = json.loads(plan) if isinstance(plan, str) else plan
    children = document[0]["Plan"].get("Plans", [])
    if len(children) != 2:  # a plan of another shape (parallel workers): probe, as without
        return False
    found, every = (node["Plan Rows"] for node in children)
    return bool(found > _COMMON_SHARE * every and found > 2 * limit)
