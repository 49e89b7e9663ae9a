"""Looking a customer up by address: any case, through an index."""

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
    assert "USING INDEX customer_email_lower" in plan, plan
