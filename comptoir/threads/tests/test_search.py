"""Full-text search (issue 20): the same answers on SQLite, PostgreSQL and MariaDB for a fixed
set of queries in three languages, operators, highlights, hostile input, the rebuild command."""

import io

import pytest
from django.core.management import call_command

from comptoir.testing import make_customer, make_order, make_thread
from comptoir.threads import arrivals, services
from comptoir.threads.listing import apply_filters
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import Source, Status, Thread, ThreadSearch
from comptoir.threads.search import search_highlight, search_parse

# Committed rows: MariaDB's FULLTEXT index takes a row in at commit (InnoDB), not before.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(bob):
    lucia = make_customer("Lucía", last_name="Fernández", email="lucia.fernandez@example.es")
    spanish = make_thread(
        email=lucia.email,
        customer=lucia,
        order=make_order(lucia, reference="XKBKNABJK"),
        language="es",
        text="¿Dónde está mi pedido? El paquete no llegó todavía.",
    )
    elodie = make_customer("Élodie", last_name="Martin", email="elodie@example.fr", language="fr")
    french = make_thread(
        email=elodie.email,
        customer=elodie,
        language="fr",
        text="Mon colis est arrivé abîmé, la boîte était ouverte.",
    )
    services.thread_note(thread=french, employee=bob, text="Rembourser la cliente demain")
    services.thread_set_status(thread=french, employee=bob, status=Status.CLOSED)
    english = make_thread(email="john@example.com", text="Tracking number says delivered.")
    arrivals.thread_receive(
        thread=english,
        incoming=CustomerMessage(
            text="Still no parcel, please check.",
            quoted_text="> Previously: a banana refund request",
            source=Source.EMAIL,
        ),
    )
    services.thread_set_status(thread=english, employee=bob, status=Status.PENDING1)
    return {"es": spanish.pk, "fr": french.pk, "en": english.pk}


# query → the threads it finds (by language), the same on every database.
QUERIES = [
    ("LUCÍA", {"es"}),
    ("lucia", {"es"}),
    ("fernandez", {"es"}),
    ("FERNÁNDEZ pedido", {"es"}),
    ("paquete llego", {"es"}),
    ("xkbknabjk", {"es"}),
    ("abime", {"fr"}),
    ("ABÎMÉ boite", {"fr"}),
    ("colis ouverte", {"fr"}),
    ("rembourser", {"fr"}),  # a private note
    ("banana", set()),  # quoted history
    ("parc", {"en"}),  # the word being typed
    ("tracking deliv", {"en"}),
    ('"tracking number"', {"en"}),
    ('"number tracking"', set()),
    ('"tracking number" parcel', {"en"}),
    ('"paquete no llegó', {"es"}),  # the quote closes at the end
    ("colis parcel", set()),
    ("from:lucia", {"es"}),
    ("from:elodie@example.fr", {"fr"}),
    ("from:MARTIN", {"fr"}),
    ("order:xkbknabjk", {"es"}),
    ("order:NOPE", set()),
    ("status:closed", {"fr"}),
    ("status:pending", {"en"}),
    ("status:pending1 parcel", {"en"}),
    ("status:open parcel", set()),
    ("example", {"es", "fr", "en"}),
]


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_each_query_finds_the_same_threads_on_every_database(shop, query, expected):
    found = apply_filters(Thread.objects.all(), {"q": query})
    assert set(found.values_list("pk", flat=True)) == {shop[lang] for lang in expected}


def test_a_reply_and_a_merge_are_found_at_once(shop, bob):
    english = Thread.objects.get(pk=shop["en"])
    services.thread_reply(thread=english, employee=bob, text="Your zeppelin ships tomorrow")
    assert list(apply_filters(Thread.objects.all(), {"q": "zeppelin"})) == [english]
    french = Thread.objects.get(pk=shop["fr"])
    services.thread_merge(source=english, target=french, employee=bob)
    assert list(apply_filters(Thread.objects.all(), {"q": "zeppelin"})) == [french]


def test_an_unknown_status_is_named_above_the_list_not_a_500(client, bob, shop):
    client.force_login(bob)
    response = client.get("/desk/", {"q": "status:bogus"})
    assert response.status_code == 400  # as every filter that cannot be used
    assert "status: takes open, closed" in response.content.decode()
    assert response.context["page"].rows == []


HOSTILE = [
    '"',
    '"unbalanced',
    "*",
    "NEAR(a b)",
    "- -x",
    ":",
    "a:b",
    "from:",
    'order:"',
    "AND OR NOT",
    "'; DROP TABLE threads_thread; --",
    "\\",
    "^ $ ( ) { } [ ]",
    'a"b"c',
    "ñ* 🙂 ∑",
    "+colis -ouverte ~x <y >z @3",
    "colis:* & !x | y <-> z",
    "x" * 200,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_answer_200(client, bob, shop, query):  # never a syntax error
    client.force_login(bob)
    assert client.get("/desk/", {"q": query}).status_code == 200


def test_the_list_marks_the_words_found_in_an_escaped_excerpt(client, bob, shop):
    english = Thread.objects.get(pk=shop["en"])
    services.thread_note(thread=english, employee=bob, text="<b>parcel</b> & <script>x</script>")
    client.force_login(bob)
    html = client.get("/desk/", {"q": "lucia"}).content.decode()
    assert "<mark>Lucía</mark>" in html
    html = client.get("/desk/", {"q": "script parcel"}).content.decode()
    assert "&lt;b&gt;<mark>parcel</mark>&lt;/b&gt;" in html
    assert "<script>x" not in html


def test_a_highlight_marks_prefixes_and_folds_accents():
    marked = search_highlight("Où est mon colis abîmé ?", search_parse("ABIME col"))
    assert marked == "Où est mon <mark>colis</mark> <mark>abîmé</mark> ?"


def test_a_search_runs_a_bounded_number_of_queries(
    client, bob, shop, django_assert_max_num_queries
):
    for number in range(30):
        make_thread(email=f"c{number}@example.com", text=f"parcel number {number}")
    client.force_login(bob)
    client.get("/desk/", {"q": "parcel"})
    with django_assert_max_num_queries(19):
        response = client.get("/desk/", {"q": "parcel"})
    assert len(response.context["page"].rows) == 31


def test_the_rebuild_command_indexes_every_thread_with_a_progress_bar(shop):
    ThreadSearch.objects.all().delete()
    assert not apply_filters(Thread.objects.all(), {"q": "lucia"}).exists()
    out, err = io.StringIO(), io.StringIO()
    call_command("search_rebuild", "--batch", "2", stdout=out, stderr=err)
    assert "3 threads indexed." in out.getvalue()
    assert "3/3" in err.getvalue()
    assert ThreadSearch.objects.count() == 3
    assert apply_filters(Thread.objects.all(), {"q": "lucia"}).get().pk == shop["es"]


def test_a_highlight_finds_the_first_whole_word_far_in_the_text():
    # The first match is found by one regular expression (every spelling of each letter), not
    # by folding every word before it; a word only containing the search is not a match.
    text = "Précolis " * 200 + "Le COLIS abîmé, colissimo."
    marked = search_highlight(text, search_parse("colis"))
    assert marked is not None
    assert "<mark>COLIS</mark> abîmé" in marked
    assert "<mark>colissimo</mark>" in marked
    assert "<mark>Précolis" not in marked
    assert search_highlight(text, search_parse('"colissimos" abimee')) is None
    assert "<mark>abîmé</mark>" in str(search_highlight(text, search_parse('"ABIME"')))
