"""Looking a customer up by address: any ASCII case, through the email index."""

import pytest
from django.db import connection

from comptoir.shop.models import Customer
from comptoir.testing import make_customer

pytestmark = pytest.mark.django_db


def test_any_case_finds_the_customer():
    alice = make_customer("Alice", email="Alice.Doe@Example.com")
    make_customer("Bob")
    assert list(Customer.objects.with_email("alice.doe@example.COM")) == [alice]
    assert not Customer.objects.with_email("alice@example.com").exists()


@pytest.mark.sqlite_only
def test_the_lookup_searches_an_index_instead_of_reading_every_customer():
    make_customer("Alice")
    sql, params = Customer.objects.with_email("alice@example.com").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "USING INDEX shop_customer_email" in plan, plan


def test_several_addresses_are_looked_up_at_once_in_any_case():
    alice = make_customer("Alice", email="Alice.Doe@Example.com")
    bob = make_customer("Bob")
    make_customer("Carol")
    found = Customer.objects.with_emails(["alice.doe@example.COM", bob.email.upper(), "x@y.z"])
    assert set(found) == {alice, bob}


@pytest.mark.sqlite_only
def test_several_addresses_are_looked_up_through_the_index_too():
    make_customer("Alice")
    addresses = ["a@example.com", "b@example.com", "c@example.com"]
    sql, params = Customer.objects.with_emails(addresses).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "USING INDEX shop_customer_email" in plan, plan
