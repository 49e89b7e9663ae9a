"""Search ranking (issue 20): best match first among the newest matching threads, the same order
on SQLite (bm25), PostgreSQL (ts_rank) and MariaDB (MATCH score); pages of one ranking without
a duplicate or a gap; "ID, descending" for every match newest first."""

import pytest
from django.http import QueryDict

from comptoir.testing import make_thread
from comptoir.threads import listing, search, search_probe, services
from comptoir.threads.listing import RELEVANCE, ListParams, apply_filters
from comptoir.threads.models import Status, Thread
from comptoir.threads.search import search_parse, search_ranked

# Committed rows: MariaDB's FULLTEXT index takes a row in at commit (InnoDB), not before.
pytestmark = pytest.mark.django_db(transaction=True)

FILLER = (
    "The weather was fine and the courier came by in the afternoon with several boxes for the "
    "shop next door, which sells garden furniture, lamps, rugs and a few books about cooking. "
)


@pytest.fixture
def documents():
    """Three threads that say "zeppelin": once in a long text (the oldest), three times in a
    short one, once in a short one (the newest); and three that do not (a word found in every
    document weighs nothing on MariaDB)."""
    once_long = make_thread(email="a@example.com", text=FILLER * 8 + "One zeppelin.")
    many = make_thread(email="b@example.com", text="Zeppelin, zeppelin and zeppelin again.")
    once_short = make_thread(email="c@example.com", text="A zeppelin ticket please.")
    for number in range(3):
        make_thread(email=f"other{number}@example.com", text=FILLER)
    return {"once_long": once_long.pk, "many": many.pk, "once_short": once_short.pk}


def ranked_ids(text: str) -> list[int]:
    query = search_parse(text)
    threads = apply_filters(Thread.objects.all(), {"q": text})
    return [pk for pk, _score in search_ranked(threads, query)]


def test_the_ranking_is_the_same_on_every_database(documents):
    # Three mentions beat one everywhere. bm25 puts one in a short thread above one in a long
    # thread; ts_rank and MariaDB's MATCH score do not weigh the length: equal, the newer first.
    expected = [documents["many"], documents["once_short"], documents["once_long"]]
    assert ranked_ids("zeppelin") == expected
    assert ranked_ids("zepp") == expected  # the word being typed
    assert ranked_ids("ZEPPELÍN") == expected


def test_equal_scores_come_newest_first(documents):
    first = make_thread(email="d@example.com", text="Quokka parcel")
    second = make_thread(email="e@example.com", text="Quokka parcel")
    assert ranked_ids("quokka parcel") == [second.pk, first.pk]


def test_a_search_is_ranked_by_default_and_newest_first_on_request(client, bob, documents):
    client.force_login(bob)
    response = client.get("/desk/", {"q": "zeppelin"})
    assert response.context["params"].sort == RELEVANCE
    rows = [row.pk for row in response.context["page"].rows]
    assert rows == [documents["many"], documents["once_short"], documents["once_long"]]
    assert '<option value="relevance" selected>' in response.content.decode()
    response = client.get("/desk/", {"q": "zeppelin", "sort": "id"})
    rows = [row.pk for row in response.context["page"].rows]
    assert rows == [documents["once_short"], documents["many"], documents["once_long"]]
    # Without a search, the list is by ID; the sort control offers relevance for the next one.
    response = client.get("/desk/")
    assert response.context["params"].sort == "id"
    assert '<option value="relevance" selected>' in response.content.decode()
    params = ListParams.from_query(QueryDict("sort=relevance"))
    assert not params.ranked


def walk(client, query, direction="after", cursor=""):
    """Every page of a search from the first, following the next (or previous) links."""
    pages = []
    while True:
        params = {"q": query, "size": 20, **({direction: cursor} if cursor else {})}
        page = client.get("/desk/", params).context["page"]
        pages.append([row.pk for row in page.rows])
        cursor = page.next_cursor if direction == "after" else page.previous_cursor
        if not cursor:
            return pages, page


def test_ranked_pages_have_no_duplicate_and_no_gap(client, bob):
    for number in range(45):
        words = " ".join(["parcel"] * (1 + number % 4))
        make_thread(email=f"c{number}@example.com", text=f"{words} {FILLER[: number * 4]}")
    client.force_login(bob)
    expected = ranked_ids("parcel")
    assert len(expected) == 45
    pages, last = walk(client, "parcel")
    assert [len(page) for page in pages] == [20, 20, 5]
    assert [pk for page in pages for pk in page] == expected
    # A thread arriving meanwhile stays out of the ranking being paged through.
    make_thread(email="late@example.com", text="parcel parcel parcel parcel parcel")
    back: list[int] = []
    cursor = last.previous_cursor
    while cursor:
        page = client.get("/desk/", {"q": "parcel", "size": 20, "before": cursor}).context["page"]
        back = [row.pk for row in page.rows] + back
        cursor = page.previous_cursor
    assert back == expected[:40]
    # A forged cursor shows the first page (as any list's).
    for forged in ("bm90IGpzb24", "WzEsIC0xXQ", "WzEsIDEwMDAwXQ"):
        page = client.get("/desk/", {"q": "parcel", "size": 20, "after": forged}).context["page"]
        assert len(page.rows) == 20


def test_only_the_newest_matches_are_ranked_and_the_page_says_so(client, bob, monkeypatch):
    monkeypatch.setattr(search, "RANKED", 3)
    monkeypatch.setattr(listing, "RANKED", 3)
    threads = [make_thread(email=f"c{n}@example.com", text="parcel " * (5 - n)) for n in range(5)]
    client.force_login(bob)
    response = client.get("/desk/", {"q": "parcel"})
    rows = [row.pk for row in response.context["page"].rows]
    assert rows == [threads[2].pk, threads[3].pk, threads[4].pk]  # the 3 newest, best first
    assert 'id="ranked-note"' in response.content.decode()
    response = client.get("/desk/", {"q": "parcel", "sort": "id"})
    assert len(response.context["page"].rows) == 5
    assert 'id="ranked-note"' not in response.content.decode()


def test_a_ranked_page_runs_as_many_queries_with_more_matches(
    client, bob, django_assert_num_queries
):
    client.force_login(bob)

    def count() -> int:
        client.get("/desk/", {"q": "parcel"})
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            client.get("/desk/", {"q": "parcel"})
        return len(queries)

    for number in range(5):
        make_thread(email=f"c{number}@example.com", text=f"parcel {number}")
    few = count()
    for number in range(5, 60):
        make_thread(email=f"c{number}@example.com", text=f"parcel {number}")
    assert count() == few


def test_filters_that_keep_few_of_the_newest_matches_still_rank_the_older_ones(
    client, bob, monkeypatch
):
    # SQLite takes FTS5's newest matches 2 × RANKED, then 16 × RANKED, then all of them.
    monkeypatch.setattr(search, "RANKED", 3)
    monkeypatch.setattr(listing, "RANKED", 3)
    closed = []
    for number in range(4):
        thread = make_thread(email=f"old{number}@example.com", text="parcel " * (1 + number))
        services.thread_set_status(thread=thread, employee=bob, status=Status.CLOSED)
        closed.append(thread.pk)
    for number in range(10):
        make_thread(email=f"new{number}@example.com", text="parcel")
    client.force_login(bob)
    response = client.get("/desk/", {"q": "parcel", "status": "closed"})
    rows = [row.pk for row in response.context["page"].rows]
    assert rows == [closed[3], closed[2], closed[1]]  # the 3 newest closed, best first
    response = client.get("/desk/", {"q": "parcel status:closed"})
    assert [row.pk for row in response.context["page"].rows] == rows


def test_the_excerpts_of_a_page_are_the_same_with_the_words_remembered():
    query = search_parse("abime col")
    texts = [FILLER * 30 + "Mon colis est arrivé abîmé.", "Colis abîmé " + FILLER]
    seen: dict[str, bool] = {}
    for text in texts:
        assert search.search_highlight(text, query, seen=seen) == search.search_highlight(
            text, query
        )
    marked = search.search_highlight(texts[0], query)
    assert marked is not None
    assert "<mark>colis</mark> est arrivé <mark>abîmé</mark>" in marked


# SQLite: no query of a search reads a common word's whole index (issue 20's budgets at 10^6).


def _searched(text: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        threads = apply_filters(Thread.objects.all(), {"q": text}, words=False)
        search_ranked(threads, search_parse(text))
        list(apply_filters(Thread.objects.all(), {"q": text}))  # "ID": every match, newest first
    return [query["sql"] for query in queries.captured_queries]


def test_the_word_being_typed_is_looked_for_as_the_whole_words_it_begins(documents):
    from django.db import connection

    if connection.vendor != "sqlite":
        return  # PostgreSQL and MariaDB test the prefix per row or in their index
    make_thread(email="f@example.com", text="Zeppelins everywhere")
    statements = _searched("zepp")
    matches = [sql for sql in statements if " MATCH " in sql]
    assert matches
    # A prefix ("zepp"*) makes FTS5 gather every document of every word it begins before the
    # LIMIT: each query names the index's whole words instead.
    assert not any('"*' in sql for sql in matches)
    assert all('"zeppelin" OR "zeppelins"' in sql for sql in matches if "zepp" in sql.lower())
    assert ranked_ids("zepp")[0] == documents["many"]


def test_a_prefix_of_too_many_words_is_left_to_the_engine(documents, monkeypatch):
    monkeypatch.setattr(search, "_FORMS", 1)
    make_thread(email="f@example.com", text="Zeppelins everywhere")
    assert set(ranked_ids("zepp")) == {*documents.values(), Thread.objects.latest("pk").pk}


def test_the_scores_need_no_count_of_every_document(documents):
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    # FTS5's bm25() counts every document holding each word (the whole index for a common
    # word): the weights come from the newest 400 documents instead, the counts from highlight().
    assert not any("bm25(" in sql for sql in _searched("zeppelin ticket"))


def test_the_weights_follow_how_rare_a_word_is():
    from django.db import connection

    if connection.vendor != "sqlite":
        return  # ts_rank has no such weight; MariaDB's is its own
    # "alpha" is in every thread, "omega" in two: the thread saying "omega" twice outranks the
    # one saying "alpha" three times (and "omega" once), as with FTS5's bm25().
    for number in range(6):
        make_thread(email=f"x{number}@example.com", text=f"alpha filler {number} " + FILLER)
    alphas = make_thread(email="a@example.com", text="alpha alpha alpha omega " + FILLER)
    omegas = make_thread(email="o@example.com", text="alpha omega omega " + FILLER)
    assert ranked_ids("alpha omega") == [omegas.pk, alphas.pk]


def test_a_common_words_weight_is_read_from_its_newest_documents(monkeypatch):
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    # Each word's newest documents (4 here, 400 in use) span a stretch of the ids: the word is
    # taken to be as frequent in all of them. Exact when fewer hold it.
    monkeypatch.setattr(search, "_DENSITY", 4)
    for number in range(40):
        words = ["filler"] + ["alpha"] * (number % 2 == 0) + ["omega"] * (number % 20 == 0)
        make_thread(email=f"x{number}@example.com", text=" ".join(words))
    import math

    def weight(held: int) -> float:
        return math.log(1 + (40 - held + 0.5) / (held + 0.5))

    alpha, omega = search._sqlite_weights([search.Term(("alpha",)), search.Term(("omega",))])
    assert omega == pytest.approx(weight(2))
    assert alpha == pytest.approx(weight(20), rel=0.1)


def test_few_matches_are_read_from_the_index_on_postgresql_and_mariadb(documents):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor == "sqlite":
        return  # FTS5 gives its matches newest first: no walk of the threads
    # Testing each thread's document newest first until 200 match read every document when
    # fewer match (0.7 s at 10^5 threads on MariaDB, 2.2 s at 10^6 on PostgreSQL): the index
    # is asked for 201 matches first, and the threads are then read by id.
    threads = apply_filters(Thread.objects.all(), {"q": "zeppelin"}, words=False)
    with CaptureQueriesContext(connection) as queries:
        ranked = search_ranked(threads, search_parse("zeppelin"))
    statements = [query["sql"] for query in queries.captured_queries]
    # Left aside: PostgreSQL's estimate (EXPLAIN) and MariaDB's memory of common words (cache).
    probe, *rest = [s for s in statements if not s.startswith("EXPLAIN") and "_cache" not in s]
    test = "MATCH(document)" if connection.vendor == "mysql" else "vector @@"
    assert f"FROM threads_threadsearch WHERE {test}" in probe
    assert "LIMIT 201" in probe
    assert not any(test in sql for sql in rest)
    expected = [documents["many"], documents["once_short"], documents["once_long"]]
    assert [pk for pk, _ in ranked] == expected


def test_a_word_in_most_threads_is_not_probed_first_on_postgresql(monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        return  # SQLite needs no probe; MariaDB's index gives no estimate
    # For a common word the probe is a scan stopped only after 201 matches (4–9 ms of a page
    # at 10^6 threads) whose answer is thrown away: the planner's estimate (EXPLAIN) says so
    # first. 68 threads of 70 hold "parcel", against 2 × 10 ranked.
    monkeypatch.setattr(search, "RANKED", 10)
    for number in range(70):
        make_thread(email=f"c{number}@example.com", text="parcel" if number % 35 else "refund")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE threads_threadsearch")
    threads = apply_filters(Thread.objects.all(), {"q": "parcel"}, words=False)
    with CaptureQueriesContext(connection) as queries:
        ranked = search_ranked(threads, search.search_prepare(search_parse("parcel")))
    statements = [query["sql"] for query in queries.captured_queries]
    assert not any("LIMIT 11" in sql and "vector @@" in sql for sql in statements)
    assert len(ranked) == 10
    # A word in two threads is still looked for in the index first.
    with CaptureQueriesContext(connection) as queries:
        ranked = search_ranked(threads, search.search_prepare(search_parse("refund")))
    assert any("LIMIT 11" in query["sql"] for query in queries.captured_queries)
    assert len(ranked) == 2


@pytest.mark.parametrize("direction", ["desc", "asc"])
def test_a_search_by_id_pages_through_every_match_with_filters(client, bob, monkeypatch, direction):
    # On SQLite the page by ID takes the engine's next matches past the cursor (400, then
    # 3,200, then all): 3 here, so that the closed threads left out make it look further.
    monkeypatch.setattr(listing, "WINDOW", 3)
    for number in range(66):
        thread = make_thread(email=f"c{number}@example.com", text=f"parcel {number}")
        if number % 3:
            services.thread_set_status(thread=thread, employee=bob, status=Status.CLOSED)
        make_thread(email=f"o{number}@example.com", text="other words")
    client.force_login(bob)
    query = {"q": "parcel", "status": "open", "sort": "id", "dir": direction, "size": 20}
    expected = list(
        apply_filters(Thread.objects.all(), {"q": "parcel", "status": "open"})
        .order_by("pk" if direction == "asc" else "-pk")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 22
    seen: list[list[int]] = []
    cursor = ""
    while True:
        page = client.get("/desk/", {**query, **({"after": cursor} if cursor else {})})
        page = page.context["page"]
        seen.append([row.pk for row in page.rows])
        cursor = page.next_cursor
        if not cursor:
            break
    assert [len(rows) for rows in seen] == [20, 2]
    assert [pk for rows in seen for pk in rows] == expected
    back = client.get("/desk/", {**query, "before": page.previous_cursor}).context["page"]
    assert [row.pk for row in back.rows] == seen[0]
    assert not back.previous_cursor
    assert back.next_cursor


def test_a_search_by_id_reads_only_the_newest_matches_on_sqlite(client, bob):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        return
    for number in range(5):
        make_thread(email=f"c{number}@example.com", text="parcel")
    client.force_login(bob)
    with CaptureQueriesContext(connection) as queries:
        client.get("/desk/", {"q": "parcel", "sort": "id"})
    # "id IN (SELECT rowid … MATCH …)" listed every match (200,000 for a common word at 10^6)
    # before the first row: the matches come newest first, with a LIMIT.
    statements = [query["sql"] for query in queries.captured_queries]
    assert not any("IN (SELECT rowid" in sql for sql in statements)
    assert any("MATCH" in sql and "ORDER BY rowid DESC LIMIT" in sql for sql in statements)


def test_few_matches_by_id_are_read_from_the_index_on_postgresql_and_mariadb(client, bob):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor == "sqlite":
        return
    for number in range(3):
        make_thread(email=f"c{number}@example.com", text="zeppelin")
    client.force_login(bob)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/desk/", {"q": "zeppelin", "sort": "id"}).context["page"]
    assert len(page.rows) == 3
    test = "MATCH(document)" if connection.vendor == "mysql" else "vector @@"
    statements = [
        query["sql"]
        for query in queries.captured_queries
        if test in query["sql"] and not query["sql"].startswith("EXPLAIN")
    ]
    # One look in the index (up to 401 matches), then the threads by id: no walk of the
    # threads testing each one's document.
    assert len(statements) == 1
    assert "LIMIT 401" in statements[0]


def test_the_estimate_is_asked_of_the_whole_words():
    # PostgreSQL estimates a prefix ("parcel:*") from every frequent word's share and finds it
    # rare; the whole word, from its own frequency. Quotes inside a lexeme are doubled.
    text = "'parcel':* | 'it''s:*':* & 'a:*' <-> 'b'"
    assert search_probe.LEXEME.sub(r"\1", text) == "'parcel' | 'it''s:*' & 'a:*' <-> 'b'"


def test_a_word_with_many_matches_is_not_probed_again_on_mariadb(monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "mysql":
        return  # PostgreSQL asks its statistics; SQLite needs no probe
    # InnoDB evaluates the whole FULLTEXT query in each statement: at 10^6 threads the probe of
    # a common word was 233 ms of a 605 ms page, its answer thrown away. Once it has found more
    # matches than it asks for, the words are not probed again for a while.
    from django.core.cache import cache

    cache.clear()  # the database's cache table outlives a transactional test's flush
    monkeypatch.setattr(search, "RANKED", 2)
    for number in range(5):
        make_thread(email=f"c{number}@example.com", text="parcel")
    threads = apply_filters(Thread.objects.all(), {"q": "parcel"}, words=False)

    def probes() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert len(search_ranked(threads, search_parse("parcel"))) == 2
        return [q["sql"] for q in queries.captured_queries if "LIMIT 3" in q["sql"]]

    assert len(probes()) == 1
    assert probes() == []
    cache.clear()
