"""The list's search box and text filters match whatever the case and the accents (issue 19).

Run on each database (SQLite, PostgreSQL, MariaDB): each matches its own way (``lib.fold``).
"""

import importlib
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import connection

from comptoir.shop.models import Customer
from comptoir.testing import make_customer, make_thread
from comptoir.threads import arrivals
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import Source, Thread

# Committed rows: MariaDB's FULLTEXT index (the search box) takes a row in at commit.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(client, bob):
    """Four threads with accented names and texts, and what each is called in the tests."""
    lucia = make_customer("Lucía", last_name="Fernández", email="lucia@example.com", language="es")
    inigo = make_customer("Iñigo", last_name="Muñoz", email="inigo@example.com", language="es")
    make_thread(email="lucia@example.com", customer=lucia, language="es", text="¿Dónde está?")
    make_thread(email="inigo@example.com", customer=inigo, language="es", text="Para mi niño")
    french = make_thread(email="zoe@example.com", language="fr", text="Bonjour")
    arrivals.thread_receive(
        thread=french,
        incoming=CustomerMessage(text="Ça ne marche pas, le colis est abîmé", source=Source.EMAIL),
    )
    make_thread(email="oliver@example.com", text="Where is my parcel? Nothing arrived")
    client.force_login(bob)
    return client


def found(client, **query):
    response = client.get("/desk/?" + urlencode(query))
    assert response.status_code == 200
    return sorted(row.email.split("@")[0] for row in response.context["page"].rows)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The search box: the customer's name, the address, every message.
        ({"q": "LUCÍA"}, ["lucia"]),
        ({"q": "lucia"}, ["lucia"]),
        ({"q": "Lucía"}, ["lucia"]),
        ({"q": "FERNANDEZ"}, ["lucia"]),
        ({"q": "ÇA NE MARCHE"}, ["zoe"]),
        ({"q": "ca ne marche"}, ["zoe"]),
        ({"q": "ABÎMÉ"}, ["zoe"]),
        ({"q": "abime"}, ["zoe"]),
        ({"q": "NIÑO"}, ["inigo"]),
        ({"q": "nino"}, ["inigo"]),
        ({"q": "MUÑOZ"}, ["inigo"]),
        ({"q": "DONDE ESTA"}, ["lucia"]),
        ({"q": "PARCEL"}, ["oliver"]),
        # The Customer filter: each word in the name.
        ({"customer": "fernandez"}, ["lucia"]),
        ({"customer": "FERNÁNDEZ"}, ["lucia"]),
        ({"customer": "LUCÍA fernandez"}, ["lucia"]),
        ({"customer": "inigo munoz"}, ["inigo"]),
        ({"customer": "IÑIGO"}, ["inigo"]),
        # The E-mail filter (addresses are stored in lower case).
        ({"email": "LUCIA@"}, ["lucia"]),
        ({"email": "LUCÍA@EXAMPLE"}, ["lucia"]),
        # The Messages filter.
        ({"message": "ÇA"}, ["zoe"]),
        ({"message": "Abime"}, ["zoe"]),
        ({"message": "NIÑO"}, ["inigo"]),
        ({"message": "donde"}, ["lucia"]),
    ],
)
def test_a_filter_finds_the_thread_whatever_the_case_and_accents(desk, query, expected):
    if connection.vendor == "postgresql" and query == {"q": "DONDE ESTA"}:
        pytest.xfail("PostgreSQL's spanish configuration drops stop words (issue 20, DECISIONS)")
    assert found(desk, **query) == expected


@pytest.mark.parametrize("query", [{"q": "lucian"}, {"customer": "fernandes"}, {"message": "nina"}])
def test_a_filter_still_needs_every_letter(desk, query):
    if connection.vendor == "postgresql" and query == {"q": "lucian"}:
        pytest.xfail("PostgreSQL stems the word being typed: 'lucian' is 'luci' (issue 20)")
    assert found(desk, **query) == []


def test_characters_of_regular_expressions_are_searched_as_themselves(desk):
    make_thread(email="brackets@example.com", text="Order [A-Z]+ (x2) cost $5.00 ^_^ \\o/")
    # The search box finds words (punctuation around them is not searched: every full-text
    # engine splits words at it); a query of punctuation alone is searched as typed.
    # MariaDB: "A" and "Z" are shorter than its FULLTEXT index's words, and are matched
    # anywhere in the text ("[A-Z]+" then finds more).
    # PostgreSQL: "a" is an English stop word, so "[A-Z]+" there is the word "z" being typed.
    short_words = ("[A-Z]+",) if connection.vendor in {"mysql", "postgresql"} else ()
    for text in ("[A-Z]+", "(X2)", "$5.00", "^_^", "[", "\\"):
        if text not in short_words:
            assert found(desk, q=text) == ["brackets"], text
    assert found(desk, q="5x00") == []


def test_the_longest_query_the_list_takes_is_no_error(desk):
    words = "Fernández ÇA ß ﬃ [ñ] " * 12
    assert found(desk, q=words) == []
    assert found(desk, message=words, customer=words, email=words) == []


def test_the_customers_folded_name_is_filled_for_customers_stored_before():
    Customer.objects.create(email="old@example.com", first_name="Élodie", last_name="GARÇON")
    migration = importlib.import_module("comptoir.shop.migrations.0005_customer_name_folded")
    migration.fill(apps, None)
    assert Customer.objects.get(email="old@example.com").name_folded == "elodie garcon"


def test_a_customer_renamed_by_the_shop_is_found_by_the_new_name_without_accents(desk):
    from comptoir.shop.services import customers_upsert
    from comptoir.shop.sync import CustomerIn
    from comptoir.threads.services import threads_link_customers

    def sync(last_name):
        row = {"external_id": "C77", "email": "zoe@example.com", "last_name": last_name}
        customers_upsert(rows=[(0, CustomerIn(first_name="Zoé", **row))])
        Thread.objects.filter(email="zoe@example.com").update(
            customer=Customer.objects.get(external_id="C77")
        )
        # As the shop's API and import do after writing customers.
        threads_link_customers(customer_ids=[Customer.objects.get(external_id="C77").pk])

    sync("Lefèvre")
    assert found(desk, customer="ZOE LEFEVRE") == ["zoe"]
    sync("Bérénice")
    assert found(desk, customer="lefevre") == []
    assert found(desk, q="BERENICE") == ["zoe"]
