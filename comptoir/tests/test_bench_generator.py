"""The benchmark's generator (``bench.generate``) writes rows straight into the tables, past the
models' defaults: a column added without a database default breaks it, and ``make bench`` with
it. A small shop generated here on each database keeps it in step with the schema, and the
desk's search finds what it wrote."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.utils import timezone

from bench import generate
from bench.shopgen import Shop, create_customers, create_orders, create_states, create_team
from comptoir.threads.defaults import default_contacts_ensure
from comptoir.threads.models import Contact, Message, OutboundEmail, Thread, ThreadSearch
from comptoir.threads.search import search_condition, search_parse

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_generator_writes_a_shop_the_desk_can_search() -> None:
    rng = random.Random(7)
    default_contacts_ensure()
    shop = Shop(now=timezone.now())
    contacts: list[object] = list(Contact.objects.order_by("position", "id")[:2])
    shop.contacts = contacts
    create_team(shop)
    create_states(shop)
    create_customers(shop, rng, 20)
    create_orders(shop, rng, 30)
    writer = generate.Writer(shop, rng)
    rebuild = generate._search_index_set_aside()
    for number in range(1, 41):
        writer.thread(long=number == 40)
    writer.flush()
    with connection.cursor() as cursor:
        for statement in rebuild:
            cursor.execute(statement)

    assert Thread.objects.count() == 40
    assert Message.objects.filter(thread__in=Thread.objects.all()).count() >= 90
    assert ThreadSearch.objects.count() == 40
    assert OutboundEmail.objects.filter(status="sent").exists()
    # Every thread's customer can be found by the address, through the database's own engine.
    thread = Thread.objects.order_by("pk").first()
    assert thread is not None
    word = thread.email.split("@")[0].split(".")[0]
    found = Thread.objects.filter(search_condition(search_parse(word)))
    assert thread in found
