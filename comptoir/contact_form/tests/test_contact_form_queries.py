"""The public form costs the same number of queries on a new shop and on a busy one."""

import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.contact_form.forms import form_token
from comptoir.testing import default_contact, make_customer, make_thread
from comptoir.threads.models import RateCounter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()
    RateCounter.objects.all().delete()


def _grow(size: int) -> None:
    for n in range(size):
        customer = make_customer(f"C{size}x{n}")
        make_thread(email=customer.email, customer=customer, text=f"question {n}")


def _queries(client, email: str) -> tuple[int, int]:
    with mock.patch("time.time", return_value=time.time() - 10):
        token = form_token()
    client.get("/contact/?lang=fr")  # the options row is created on the very first view
    with CaptureQueriesContext(connection) as shown:
        assert client.get("/contact/?lang=fr").status_code == 200
    data = {
        "contact": default_contact().pk,
        "email": email,
        "order_reference": "",
        "message": "Bonjour, où est mon colis ?",
        "website": "",
        "form_token": token,
    }
    with CaptureQueriesContext(connection) as posted:
        assert client.post("/contact/?lang=fr", data, REMOTE_ADDR="198.51.100.9").status_code == 302
    return len(shown), len(posted)


def test_the_form_and_its_post_run_the_same_queries_at_3_or_40_threads(client):
    _grow(3)
    small = _queries(client, "first.visitor@example.org")
    _grow(37)
    cache.clear()
    RateCounter.objects.all().delete()
    large = _queries(client, "second.visitor@example.org")
    assert small == large
    assert small[0] <= 3
    # The rate limits and the double-submit check: two statements; the thread's search document
    # (threads/search.py): two more on MariaDB than on SQLite and PostgreSQL; and on PostgreSQL
    # and MariaDB one to lock the counters before they move (threads/counters.py).
    assert small[1] <= 23
