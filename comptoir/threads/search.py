"""Full-text search of threads, each database with its own engine.

A thread's search document (``ThreadSearch``, kept by ``threads.search_index``: customer name
and address, order and product references, every message's own text, notes included, quoted
history left out) is rebuilt in the transaction that changes what it holds. The database indexes it
(migration ``0023_thread_search``): PostgreSQL a ``tsvector`` generated in the thread's language
(english, french, spanish, ``simple`` otherwise) through ``unaccent``, with a GIN index; SQLite an
FTS5 table (``unicode61 remove_diacritics 2``) kept by triggers; MariaDB a FULLTEXT index whose
accent- and case-insensitive collation folds the words.

The query (``search_parse``): words, all required; the last bare word is a prefix (the word
being typed); ``"exact phrases"``; ``from:`` (address or name), ``order:`` (reference) and
``status:`` (open, closed, pending1, pending2, pending). Only runs of letters and digits reach an
engine, each quoted for it, so no input is a syntax error (an unbalanced quote closes at the end).

Ranking (``search_ranked``): the newest ``RANKED`` threads that match, best first by the engine's
own relevance (BM25 on SQLite, PostgreSQL ``ts_rank``, MariaDB the ``MATCH`` score), the newer
first when equal. A common word matching 10^5 threads thus costs the scores of 200, and an agent
looking for last week's conversation is not shown a two-year-old one that says the word more
often (docs/DECISIONS.md, "Search ranking").
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from django.db import connection
from django.db.models import BooleanField, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from comptoir.lib.fold import fold, fold_pattern
from comptoir.threads.models import Status, Thread, ThreadSearch

OPERATORS = ("from", "order", "status")
STATUSES = {"pending": (Status.PENDING1, Status.PENDING2)} | {s.value: (s,) for s in Status}
# PostgreSQL's text search configuration by thread language (``simple``: no stemming).
CONFIGS = {"en": "english", "fr": "french", "es": "spanish"}
# MariaDB's FULLTEXT index leaves out words shorter than this (innodb_ft_min_token_size).
MARIADB_MIN_WORD = 3
_TOKEN = re.compile(
    r'(?P<op>[^\W\d_]+):(?:"(?P<opq>[^"]*)"?|(?P<opw>\S*))|"(?P<q>[^"]*)"?|(?P<w>\S+)'
)
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    """Words that must follow each other (one word: anywhere); ``prefix``: the last word may
    go on (the word being typed)."""

    words: tuple[str, ...]
    prefix: bool = False
    # SQLite: the index's words that the last word begins (``search_prepare``); None: not
    # looked up yet; empty: left to FTS5 as a prefix (too many, or none known).
    forms: tuple[str, ...] | None = None


@dataclass
class SearchQuery:
    terms: list[Term] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    # Text with no letter or digit ("^_^", "["): searched as typed, in the documents.
    literals: list[str] = field(default_factory=list)
    bad_status: bool = False
    # PostgreSQL: the words' tsquery, built once for the page (``search_prepare``).
    tsquery: str = ""

    @property
    def is_empty(self) -> bool:
        parts = (self.terms, self.senders, self.orders, self.statuses, self.literals)
        return not (any(parts) or self.bad_status)


def search_parse(text: str) -> SearchQuery:
    """What the search box holds, as terms and operators (never an error: see ``bad_status``)."""
    query = SearchQuery()
    last_bare: int | None = None
    for match in _TOKEN.finditer(text):
        op = (match.group("op") or "").lower()
        if op in OPERATORS:
            value = (match.group("opq") or match.group("opw") or "").strip()
            if not value:
                continue
            if op == "from":
                query.senders.append(value)
            elif op == "order":
                query.orders.append(value)
            elif value.lower() in STATUSES:
                query.statuses.append(value.lower())
            else:
                query.bad_status = True
            continue
        if match.group("q") is not None:
            words = tuple(_WORD.findall(match.group("q")))
            if words:
                query.terms.append(Term(words))
            elif match.group("q").strip():
                query.literals.append(match.group("q").strip())
            continue
        words = tuple(_WORD.findall(match.group(0)))
        if words:
            query.terms.append(Term(words))
            last_bare = len(query.terms) - 1
        else:
            query.literals.append(match.group(0))
    if last_bare is not None and last_bare == len(query.terms) - 1:
        query.terms[last_bare] = Term(query.terms[last_bare].words, prefix=True)
    return query


def search_condition(query: SearchQuery, *, words: bool = True) -> Q:
    """The threads ``query`` finds (the terms through the database's engine); ``words=False``:
    by its operators alone (``search_ranked`` looks for the words itself)."""
    from comptoir.shop.models import Order

    condition = Q()
    if query.bad_status:
        return Q(pk__in=[])
    for sender in query.senders:
        sender_words = fold(sender).split()[:3]
        names = Q()
        for word in sender_words:
            names &= Q(customer__name_folded__contains=word)
        condition &= Q(email__contains=fold(sender.strip().lower())) | names
    for reference in query.orders:
        condition &= Q(order__in=Order.objects.filter(reference__iexact=reference.strip()))
    if query.statuses:
        kept: list[str] = []
        for name in query.statuses:
            kept.extend(STATUSES[name])
        condition &= Q(status__in=kept)
    if query.terms and words:
        if connection.vendor == "postgresql":
            condition &= _postgresql(query)
        else:
            condition &= _BACKENDS.get(connection.vendor, _fallback)(query.terms)
    for literal in query.literals:  # rare: no index helps, the documents are read
        condition &= Q(pk__in=ThreadSearch.objects.filter(document__contains=literal).values("pk"))
    return condition


def _sqlite_match(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        quoted = '"' + " ".join(term.words) + '"'  # letters and digits only: nothing to escape
        if term.prefix and term.forms:
            head = " ".join(term.words[:-1])
            forms = ['"' + f"{head} {form}".strip() + '"' for form in term.forms]
            parts.append("(" + " OR ".join(forms) + ")")
        else:
            parts.append(quoted + "*" if term.prefix else quoted)
    return " AND ".join(parts)


def _sqlite(terms: list[Term]) -> Q:
    sql = "SELECT rowid FROM threads_thread_search_fts WHERE threads_thread_search_fts MATCH %s"
    return Q(pk__in=RawSQL(sql, [_sqlite_match(_sqlite_forms(terms))]))  # noqa: S611 — a parameter


def _postgresql_query(query: SearchQuery) -> tuple[str, list[str]]:
    """The tsquery of ``query``'s terms (SQL and its parameters). The thread's words went
    through its language's configuration: the query goes through each, and any of them
    matching is enough. Built in each statement (3 ms of planning at each) unless prepared."""
    if query.tsquery:
        return "%s::tsquery", [query.tsquery]
    parts = []
    for term in query.terms:
        words = list(term.words)
        if term.prefix:
            words[-1] += ":*"
        parts.append("(" + " <-> ".join(words) + ")" if len(words) > 1 else words[0])
    text = " & ".join(parts)
    configs = [*CONFIGS.values(), "simple"]
    union = " || ".join(f"to_tsquery('{c}', comptoir_unaccent(%s))" for c in configs)
    return f"({union})", [text] * len(configs)


def _postgresql(query: SearchQuery) -> Q:
    tsquery, params = _postgresql_query(query)
    sql = f"SELECT thread_id FROM threads_threadsearch WHERE vector @@ {tsquery}"  # noqa: S608 — constants
    return Q(pk__in=RawSQL(sql, params))  # noqa: S611 — parameters


def _mysql_parts(terms: list[Term]) -> tuple[list[str], list[str]]:
    """The boolean-mode words of ``terms``, and the words too short for the index."""
    parts: list[str] = []
    short: list[str] = []
    for term in terms:
        if all(len(w) >= MARIADB_MIN_WORD for w in term.words):
            if len(term.words) > 1:
                parts.append('+"' + " ".join(term.words) + '"')
            else:
                parts.append("+" + term.words[0] + ("*" if term.prefix else ""))
            continue
        # A word too short for the index: each word on its own, the short ones matched in the
        # text (the collation folds case and accents; anywhere, not only as a whole word: a
        # regular expression would, but without folding accents); a phrase is then its words.
        for position, word in enumerate(term.words):
            last = position == len(term.words) - 1
            if len(word) >= MARIADB_MIN_WORD:
                parts.append("+" + word + ("*" if last and term.prefix else ""))
            else:
                short.append(word)
    return parts, short


def _mysql_match(terms: list[Term]) -> str:
    return " ".join(_mysql_parts(terms)[0])


def _mysql(terms: list[Term]) -> Q:
    parts, short = _mysql_parts(terms)
    documents = ThreadSearch.objects.all()
    for word in short:
        documents = documents.filter(document__icontains=word)
    if parts:
        sql = "MATCH(document) AGAINST (%s IN BOOLEAN MODE) > 0"  # a relevance, not a boolean
        match = RawSQL(sql, [" ".join(parts)], output_field=BooleanField())  # noqa: S611
        documents = documents.filter(match)
    return Q(pk__in=documents.values("thread_id"))


def _fallback(terms: list[Term]) -> Q:
    condition = Q()
    for term in terms:
        condition &= Q(
            pk__in=ThreadSearch.objects.filter(document__icontains=" ".join(term.words)).values(
                "thread_id"
            )
        )
    return condition


_BACKENDS = {"sqlite": _sqlite, "mysql": _mysql}


# Ranking ---------------------------------------------------------------------------------------

# How many of the newest matching threads are ranked by relevance (the rest: "newest first").
RANKED = 200


def search_ranked(
    threads: QuerySet[Thread], query: SearchQuery, *, horizon: int = 0
) -> list[tuple[int, float]]:
    """The newest ``RANKED`` of ``threads`` that hold ``query``'s words, as (id, score), best
    first, the newer first for equal scores (two to four queries). ``threads`` are filtered by
    everything but the words (``search_condition(…, words=False)``); ``horizon``: only threads
    up to this id (the first page's newest, for the next pages)."""
    if horizon:
        threads = threads.filter(pk__lte=horizon)
    newest = threads.order_by("-pk")
    vendor = connection.vendor
    if not query.terms or vendor not in _SCORES:
        if query.terms:
            newest = newest.filter(_fallback(query.terms))
        scored = [(pk, 0.0) for pk in newest.values_list("pk", flat=True)[:RANKED]]
    elif vendor == "sqlite":
        scored = _sqlite_ranked(newest, query.terms, horizon)
    elif vendor == "mysql":
        scored = _mysql_ranked(newest, query.terms)
    else:
        scored = _postgresql_ranked(newest, query)
    return sorted(scored, key=lambda row: (-row[1], -row[0]))


_FTS = "threads_thread_search_fts"


def search_window(
    query: SearchQuery, *, newest_first: bool, past: int | None, limit: int
) -> list[int] | None:
    """SQLite: the ids of up to ``limit`` threads holding ``query``'s words, from the newest
    (``newest_first``) or the oldest, past the id ``past``, straight from FTS5, which reads a
    word's entries in id order only as far as needed, where ``id IN (every match)`` lists them
    all first (200,000 for a common word at 10^6 threads). PostgreSQL and MariaDB
    (``search_probe.index_probe``): every match when they are no more than ``limit``. None: the
    caller takes the condition (``search_condition``), whose plan stops early for a common word."""
    if not query.terms or connection.vendor not in _SCORES:
        return None
    if connection.vendor != "sqlite":
        # No order from these indexes: when they hold no more than ``limit`` matches, those
        # are all of them (the plan walking the threads newest first would read every one).
        from comptoir.threads.search_probe import index_probe  # it reads this module's parts

        found = index_probe(query, limit + 1)
        if found is None or len(found) > limit:
            return None
        kept = [pk for pk in found if past is None or (pk < past if newest_first else pk > past)]
        return sorted(kept, reverse=newest_first)
    params: list[str | int] = [_sqlite_match(_sqlite_forms(query.terms))]
    bound = ""
    if past is not None:
        bound = " AND rowid < %s" if newest_first else " AND rowid > %s"
        params.append(past)
    order = "DESC" if newest_first else "ASC"
    sql = f"SELECT rowid FROM {_FTS} WHERE {_FTS} MATCH %s{bound} ORDER BY rowid {order} LIMIT %s"  # noqa: S608 — constants
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [pk for (pk,) in cursor.fetchall()]


def _sqlite_ranked(
    threads: QuerySet[Thread], terms: list[Term], horizon: int
) -> list[tuple[int, float]]:
    """The newest ``RANKED`` threads holding the words, best first (``_sqlite_scores``).

    FTS5 gives its newest matches first and stops at a LIMIT, where ``pk IN (every match)``
    would first list all of them (10^5 for a common word at 10^6 threads): the newest 400
    matches come first (one query), the other filters keep the newest 200 of them (a second).
    When they keep fewer and there are more matches (a "Mine" view, a status), 3,200 matches,
    then all of them. The word being typed is the whole words it begins (``_sqlite_forms``)."""
    terms = _sqlite_forms(terms)
    first = _sqlite_matches(terms, horizon)
    ids = list(threads.filter(pk__in=first).values_list("pk", flat=True)[:RANKED])
    if len(ids) < RANKED and len(first) == 2 * RANKED:
        match = _sqlite_match(terms)
        below = " AND rowid <= %s" if horizon else ""
        params: list[str | int] = [match, horizon] if horizon else [match]
        sql = f"SELECT rowid FROM {_FTS} WHERE {_FTS} MATCH %s{below} ORDER BY rowid DESC"  # noqa: S608 — constants
        ids = _sqlite_newest(threads, sql, params)
    scores = _sqlite_scores(terms, ids)
    return [(pk, scores[pk]) for pk in ids]


# A prefix standing for more words than this is left to FTS5 (slow, but rare: "a", "re").
_FORMS = 64
_VOCABULARY = "threads_thread_search_vocab"


def _sqlite_forms(terms: list[Term]) -> list[Term]:
    """The word being typed as the index's words it begins (one query). For a prefix, FTS5
    gathers every document of every such word before the LIMIT applies (the whole index of a
    common word: most of a search's time at 10^6 threads), where an OR of whole words is read
    newest first and only as far as needed. The index's own word list (``fts5vocab``, migration
    0025) gives those words; it is read through each word's entries, once, where FTS5 read
    them again for each query of the search (the matches, the weights, the highlights)."""
    expanded = []
    for term in terms:
        if term.prefix and term.forms is None:
            # The word as typed is always one of its forms; the vocabulary is read from just
            # past it ("\0" sorts first), so that a complete common word's own entries are not
            # counted (6 ms for "remboursement" at 10^6 threads), only its longer forms'.
            typed = fold(term.words[-1])
            sql = f"SELECT term FROM {_VOCABULARY} WHERE term >= %s AND term < %s LIMIT %s"  # noqa: S608 — constants
            with connection.cursor() as cursor:
                cursor.execute(sql, [typed + "\0", typed + "\U0010ffff", _FORMS])
                forms = (typed, *(form for (form,) in cursor.fetchall()))
            if not (len(forms) <= _FORMS and all(_WORD.fullmatch(form) for form in forms)):
                forms = ()
            term = Term(term.words, prefix=True, forms=forms)
        expanded.append(term)
    return expanded


def search_prepare(query: SearchQuery) -> SearchQuery:
    """``query`` ready for its engine, to be given to every search function of one page so
    that what it needs is looked up once: on SQLite, the index's words the word being typed
    begins (``_sqlite_forms``, one query); on PostgreSQL, the tsquery through the four
    configurations (one query, where building it in each statement cost 3 ms of planning at
    each). The same query on MariaDB."""
    if connection.vendor == "postgresql" and query.terms and not query.tsquery:
        tsquery, params = _postgresql_query(query)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {tsquery}::text", params)
            return replace(query, tsquery=cursor.fetchone()[0])
    if connection.vendor != "sqlite" or not any(t.prefix and t.forms is None for t in query.terms):
        return query
    return replace(query, terms=_sqlite_forms(query.terms))


def _sqlite_matches(terms: list[Term], horizon: int) -> list[int]:
    below = " AND rowid <= %s" if horizon else ""
    params: list[str | int] = [_sqlite_match(terms), horizon] if horizon else [_sqlite_match(terms)]
    sql = f"SELECT rowid FROM {_FTS} WHERE {_FTS} MATCH %s{below} ORDER BY rowid DESC LIMIT %s"  # noqa: S608 — constants
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, 2 * RANKED])
        return [pk for (pk,) in cursor.fetchall()]


def _sqlite_newest(threads: QuerySet[Thread], sql: str, params: list[str | int]) -> list[int]:
    """The ids of the newest ``RANKED`` threads among 3,200 matches, then among all."""
    limit = 16 * RANKED
    with connection.cursor() as cursor:
        cursor.execute(sql + " LIMIT %s", [*params, limit])
        found = [pk for (pk,) in cursor.fetchall()]
    ids = list(threads.filter(pk__in=found).values_list("pk", flat=True)[:RANKED])
    if len(ids) == RANKED or len(found) < limit:
        return ids
    every = RawSQL(sql, params)  # noqa: S611 — parameters
    return list(threads.filter(pk__in=every).values_list("pk", flat=True)[:RANKED])


# Okapi BM25's constants (FTS5's bm25() has the same).
_K1 = 1.2
_B = 0.75
_OPEN, _CLOSE = "\x01", "\x02"


def _sqlite_scores(terms: list[Term], ids: list[int]) -> dict[int, float]:
    """BM25 of these threads (two queries, whatever the size of the index).

    FTS5's own bm25() first counts every document holding each word, to weigh it: a full read
    of the word's entries on each search (10^5 of them for a common word at 10^6 threads,
    most of a search's time). The same formula here takes that weight from how far back the
    word's newest 400 documents go (``_sqlite_weights``: exact below 400), each thread's word
    counts from FTS5's ``highlight()`` of it, and its length in characters against the
    candidates' average; docs/DECISIONS.md, "Search ranking without a full count"."""
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT rowid, highlight({_FTS}, 0, char(1), char(2)) FROM {_FTS} "  # noqa: S608 — constants
        f"WHERE {_FTS} MATCH %s AND rowid BETWEEN %s AND %s AND +rowid IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_sqlite_match(terms), min(ids), max(ids), *ids])
        marked = dict(cursor.fetchall())
    weights = _sqlite_weights(terms)
    wanted = [tuple(fold(word) for word in term.words) for term in terms]
    prefixes = [term.prefix for term in terms]
    memo: dict[str, list[int]] = {}
    counts: dict[int, list[int]] = {}
    lengths: dict[int, int] = {}
    for pk, text in marked.items():
        counts[pk] = _term_counts(text or "", wanted, prefixes, memo)
        lengths[pk] = len(text or "") - 2 * (text or "").count(_OPEN)
    average = max(1.0, sum(lengths.values()) / max(1, len(lengths)))
    scores = {}
    for pk in ids:
        score = 0.0
        for weight, count in zip(weights, counts.get(pk, []), strict=True):
            norm = _K1 * (1 - _B + _B * lengths[pk] / average)
            score += weight * count * (_K1 + 1) / (count + norm)
        scores[pk] = score
    return scores


def _term_counts(
    text: str, wanted: list[tuple[str, ...]], prefixes: list[bool], memo: dict[str, list[int]]
) -> list[int]:
    """How many times each term is in ``text``, whose matches FTS5 marked (``_OPEN`` …
    ``_CLOSE``). Each marked piece is folded as the query's words were, once for the page
    (``memo``: the same few pieces come back in every thread)."""
    counts = [0] * len(wanted)
    for piece in text.split(_OPEN)[1:]:
        marked = piece.split(_CLOSE, 1)[0]
        found = memo.get(marked)
        if found is None:
            found = memo[marked] = _piece_counts(marked, wanted, prefixes)
        for index, count in enumerate(found):
            counts[index] += count
    return counts


def _piece_counts(piece: str, wanted: list[tuple[str, ...]], prefixes: list[bool]) -> list[int]:
    words = _WORD.findall(fold(piece))
    counts = []
    for term, prefix in zip(wanted, prefixes, strict=True):
        count = 0
        for at in range(len(words) - len(term) + 1):
            window = words[at : at + len(term)]
            if tuple(window[:-1]) == term[:-1] and (
                window[-1].startswith(term[-1]) if prefix else window[-1] == term[-1]
            ):
                count += 1
        counts.append(count)
    if len(wanted) == 1 and not counts[0]:  # folded unlike FTS5 (rare): still one match
        counts[0] = 1
    return counts


_DENSITY = 2 * RANKED


def _sqlite_weights(terms: list[Term]) -> list[float]:
    """Each term's weight (BM25's inverse document frequency), from how many threads hold it:
    its newest 400 documents span a stretch of the ids, and the term is taken to be as frequent
    in all of them (exact when fewer than 400 hold it). One query."""
    newest = f"SELECT rowid FROM {_FTS} WHERE {_FTS} MATCH %s ORDER BY rowid DESC"  # noqa: S608 — constants
    picks = []
    params: list[str | int] = []
    for term in terms:
        picks.append(f"({newest} LIMIT 1 OFFSET %s), (SELECT count(*) FROM ({newest} LIMIT %s))")  # noqa: S608
        params += [_sqlite_match([term]), _DENSITY - 1, _sqlite_match([term]), _DENSITY]
    # The documents' ids run from the first thread's to the last's (a few deleted between):
    # both ends come from the primary key, where counting the rows would read them all.
    # (Each end in a subquery of its own: SQLite reads one end of the key for a lone MIN or
    # MAX, and the whole table when the select list holds anything else.)
    ends = ", ".join(
        f"(SELECT {end}(thread_id) FROM threads_threadsearch)"  # noqa: S608 — constants
        for end in ("MIN", "MAX")
    )
    sql = f"SELECT {ends}, {', '.join(picks)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    first, last = row[0] or 0, row[1] or 0
    total = max(1, last - first + 1)
    weights = []
    for index in range(len(terms)):
        oldest, found = row[2 + 2 * index], row[3 + 2 * index] or 0
        held = min(total, _DENSITY * total / max(1, last - oldest + 1)) if oldest else found
        weights.append(math.log(1 + (total - held + 0.5) / (held + 0.5)))
    return weights


def _postgresql_ranked(threads: QuerySet[Thread], query: SearchQuery) -> list[tuple[int, float]]:
    """PostgreSQL: the newest ``RANKED`` threads holding the words, with their ``ts_rank``.

    The plan that stops early for a common word (the threads newest first, the ``@@`` test per
    row until 200 match) walks the whole table when fewer match: 2.2 s for an order number at
    10^6 threads. So the index is asked first for 201 matches (a bitmap scan for a rare word,
    the first rows of a scan for a common one: 0.1–3 ms at 10^6); when it has no more than 200,
    they are all of them, and the threads are read by id."""
    from comptoir.threads.search_probe import index_probe  # it reads this module's parts

    found = index_probe(query, RANKED + 1)
    if found is not None and len(found) <= RANKED:
        threads = threads.filter(pk__in=list(found))
    else:
        threads = threads.filter(_postgresql(query))
    scored = threads.annotate(score=_postgresql_score(query)).values_list("pk", "score")
    return [(pk, value or 0.0) for pk, value in scored[:RANKED]]


def _postgresql_score(query: SearchQuery) -> RawSQL:
    # Not normalised by the document's length: with it (1, 2, …) a word said four times in a
    # thread ranked below the same word said three times, against bm25 and MariaDB.
    text, params = _postgresql_query(query)
    sql = (
        f"(SELECT ts_rank(s.vector, {text}) FROM threads_threadsearch s "  # noqa: S608 — constants
        'WHERE s.thread_id = "threads_thread"."id")'
    )
    return RawSQL(sql, params, output_field=FloatField())  # noqa: S611 — parameters


def _mysql_ranked(threads: QuerySet[Thread], terms: list[Term]) -> list[tuple[int, float]]:
    """MariaDB: the newest ``RANKED`` threads holding the words, with their MATCH score.

    The threads newest first, each one's document tested until 200 match, stop early for a
    common word but read every document when fewer than 200 threads hold the words (a rare
    word, an address, an order number: 0.7 s at 10^5 threads). So the index is asked first for
    201 matches: when it has no more than 200, they are all of them, and the other filters
    apply to those ids. MATCH in a subquery run once per thread would search the whole index
    each time: the scores of the candidates come in one more query, which searches it once."""
    from comptoir.threads.search_probe import index_probe  # it reads this module's parts

    found = index_probe(SearchQuery(terms=terms), RANKED + 1)
    if found is not None and len(found) <= RANKED:
        ids = list(threads.filter(pk__in=found).values_list("pk", flat=True))
        return [(pk, found[pk]) for pk in ids]
    ids = list(threads.filter(_mysql(terms)).values_list("pk", flat=True)[:RANKED])
    scores = dict(
        ThreadSearch.objects.filter(thread_id__in=ids)
        .annotate(score=_mysql_score(terms))
        .values_list("thread_id", "score")
    )
    return [(pk, scores.get(pk) or 0.0) for pk in ids]


def _mysql_score(terms: list[Term]) -> RawSQL:
    sql = "MATCH(document) AGAINST (%s IN BOOLEAN MODE)"
    return RawSQL(sql, [_mysql_match(terms)], output_field=FloatField())  # noqa: S611


_SCORES = {"sqlite", "postgresql", "mysql"}


# Highlights ------------------------------------------------------------------------------------

EXCERPT_CHARS = 160
_READ_CHARS = 4000


def search_excerpts(query: SearchQuery, thread_ids: Sequence[int]) -> dict[int, SafeString]:
    """For each thread, a piece of its document around the first matching word, escaped, the
    matching words in ``<mark>`` (one query; the documents' first 4,000 characters)."""
    if not query.terms or not thread_ids:
        return {}
    if connection.vendor == "sqlite":
        return _sqlite_excerpts(search_prepare(query), thread_ids)
    from django.db.models.functions import Left

    documents = ThreadSearch.objects.filter(thread_id__in=thread_ids).values_list(
        "thread_id", Left("document", _READ_CHARS)
    )
    seen: dict[str, bool] = {}  # the pages' words repeat: each folded once for all of them
    return {
        pk: excerpt
        for pk, document in documents
        if (excerpt := search_highlight(document, query, seen=seen)) is not None
    }


# Words in an excerpt chosen by FTS5's snippet() (about EXCERPT_CHARS of text).
_EXCERPT_WORDS = 24


def _sqlite_excerpts(query: SearchQuery, thread_ids: Sequence[int]) -> dict[int, SafeString]:
    """SQLite: FTS5's ``snippet()``, the piece of each document with the most words found, the
    words marked by the index itself (one query; what ``search_highlight`` does in Python, word
    by word, was most of a search page's time at 10^6 threads)."""
    ids = list(thread_ids)
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT rowid, snippet({_FTS}, 0, char(1), char(2), %s, %s) FROM {_FTS} "  # noqa: S608 — constants
        f"WHERE {_FTS} MATCH %s AND rowid BETWEEN %s AND %s AND +rowid IN ({marks})"
    )
    params: list[str | int] = ["…", _EXCERPT_WORDS, _sqlite_match(query.terms), min(ids), max(ids)]
    params += ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    excerpts = {}
    for pk, text in found:
        if text and _OPEN in text:
            marked = escape(" ".join(text.split())).replace(_OPEN, "<mark>")
            excerpts[pk] = mark_safe(marked.replace(_CLOSE, "</mark>"))  # noqa: S308 — escaped
    return excerpts


@lru_cache(maxsize=64)
def _first_word(exact: frozenset[str], prefixes: tuple[str, ...]) -> re.Pattern[str]:
    """A word equal to one of ``exact`` or beginning with one of ``prefixes`` (all folded), as
    written in any case and with any accents."""
    choices = []
    if exact:
        words = "|".join(fold_pattern(word) for word in sorted(exact, key=len, reverse=True))
        choices.append(f"(?:{words})(?![^\\W_])")
    if prefixes:
        choices.append("(?:" + "|".join(fold_pattern(prefix) for prefix in prefixes) + ")")
    return re.compile("(?<![^\\W_])(?:" + "|".join(choices) + ")")


def search_highlight(
    text: str, query: SearchQuery, *, seen: dict[str, bool] | None = None
) -> SafeString | None:
    """``text`` cut around its first matching word, escaped, matches marked (None: no match).
    ``seen``: whether each word matches, kept between calls for the same query. The words are
    read up to the end of the excerpt only (folding each was most of a search page's time)."""
    exact = {fold(w) for t in query.terms for w in (t.words if not t.prefix else t.words[:-1])}
    prefixes = [fold(t.words[-1]) for t in query.terms if t.prefix]
    known = {} if seen is None else seen

    def matches(word: str) -> bool:
        hit = known.get(word)
        if hit is None:
            folded = fold(word)
            hit = known[word] = folded in exact or any(folded.startswith(p) for p in prefixes)
        return hit

    # Where the first match is: one regular expression over the text, in C (``fold_pattern``:
    # each letter's spellings), where folding each word until one matched was most of a
    # PostgreSQL search page's time. The words of the excerpt are then checked one by one.
    first = _first_word(frozenset(exact), tuple(prefixes)).search(text)
    if first is None:
        return None
    start = max(0, first.start() - EXCERPT_CHARS // 3)
    end = min(len(text), start + EXCERPT_CHARS)
    found: list[re.Match[str]] = []
    for match in _WORD.finditer(text, start):
        if match.start() >= end:
            break
        cut = match.start() == start and start > 0 and _WORD.match(text, start - 1) is not None
        if not cut and matches(match.group(0)):
            found.append(match)
    pieces = ["…" if start else ""]
    at = start
    for match in found:
        if match.start() < start or match.end() > end:
            continue
        pieces.append(escape(text[at : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        at = match.end()
    pieces.append(escape(text[at:end]))
    pieces.append("…" if end < len(text) else "")
    return mark_safe(" ".join("".join(pieces).split()))  # noqa: S308 (escaped above)
