"""Saved replies in the thread page's reply box: offered with their variables filled from the
thread's customer and order, inserted without JavaScript too, and a variable without a value
flagged and refused on Send until it is replaced."""

import json
import re

import pytest
from django.conf import settings

from comptoir.shop.models import OrderState
from comptoir.testing import make_customer, make_order, make_thread
from comptoir.threads.models import OutboundEmail, SavedReply

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, bob):
    client.force_login(bob)
    return client


def offered(response):
    found = re.search(
        r'<script id="saved-replies-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found.group(1)) if found else None


def save(text, *, name="Parcel", owner=None, **languages):
    return SavedReply.objects.create(name={"en": name}, text={"en": text, **languages}, owner=owner)


@pytest.fixture
def thread_with_order():
    alice = make_customer("Alice", language="fr")
    order = make_order(alice)
    order.current_state = OrderState.objects.create(name={"en": "Shipped", "fr": "Expédiée"})
    order.save()
    return make_thread(customer=alice, order=order, language="fr")


def test_the_thread_page_offers_replies_filled_in_the_thread_language(desk, bob, thread_with_order):
    save(
        "Hello {customer_first_name}",
        fr="Bonjour {customer_first_name}, commande {order_reference} : {order_status}, "
        "{order_total}. {employee_first_name}, {shop_name}. {coupon}",
    )
    [reply] = offered(desk.get(f"/desk/threads/{thread_with_order.pk}/"))
    assert reply["text"].startswith("Bonjour Alice, commande XKBKNABJK : Expédiée, 49,90")
    assert reply["text"].endswith(f"Bob, {settings.COMPTOIR_SHOP_NAME}. {{coupon}}")
    assert reply["missing"] == []


def test_a_reply_with_a_missing_value_is_flagged(desk):
    save("Your parcel {tracking_number} for order {order_reference}")
    thread = make_thread()  # no customer account, no order
    [reply] = offered(desk.get(f"/desk/threads/{thread.pk}/"))
    assert reply["missing"] == ["{tracking_number}", "{order_reference}"]
    assert reply["text"] == "Your parcel {tracking_number} for order {order_reference}"


def test_only_the_shared_replies_and_the_employee_s_own_are_offered(desk, bob, charlie):
    save("shared", name="Shared")
    save("mine", name="Mine", owner=bob)
    save("theirs", name="Theirs", owner=charlie)
    thread = make_thread()
    names = [reply["name"] for reply in offered(desk.get(f"/desk/threads/{thread.pk}/"))]
    assert names == ["Shared", "Mine"]


def test_without_saved_replies_the_reply_box_is_unchanged(desk):
    thread = make_thread()
    response = desk.get(f"/desk/threads/{thread.pk}/")
    assert offered(response) is None
    assert "saved_replies.js" not in response.content.decode()


def test_the_insert_button_adds_the_reply_after_the_typed_text_without_sending(
    desk, thread_with_order
):
    reply = save("Hi {customer_first_name}", fr="Bonjour {customer_first_name}")
    response = desk.post(
        f"/desk/threads/{thread_with_order.pk}/reply/insert/",
        {"text": "Typed first", "status_after": "open", "saved_reply": reply.pk},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Typed first\n\nBonjour Alice</textarea>" in page
    assert '<option value="open" selected>' in page
    assert not OutboundEmail.objects.exists()


def test_the_insert_button_names_the_missing_values_and_asks_for_a_choice(desk):
    reply = save("Tracking: {tracking_number}")
    thread = make_thread()
    url = f"/desk/threads/{thread.pk}/reply/insert/"
    page = desk.post(url, {"text": "", "saved_reply": reply.pk}).content.decode()
    assert "No value for {tracking_number}: write the right text in its place" in page
    assert ">\nTracking: {tracking_number}</textarea>" in page
    for chosen in ("", "x", "999999999999999999999", str(reply.pk + 1)):
        response = desk.post(url, {"text": "kept", "saved_reply": chosen})
        assert response.status_code == 200
        assert "Choose a saved reply to insert." in response.content.decode()
        assert ">\nkept</textarea>" in response.content.decode()


def test_sending_a_reply_still_holding_a_missing_value_is_refused_until_fixed(desk):
    thread = make_thread()
    url = f"/desk/threads/{thread.pk}/reply/"
    refused = desk.post(url, {"text": "Tracking: {tracking_number}", "status_after": "closed"})
    assert refused.status_code == 400
    assert "No value for {tracking_number}" in refused.content.decode()
    assert not OutboundEmail.objects.exists()
    assert thread.messages.filter(author="employee").count() == 0
    sent = desk.post(url, {"text": "Tracking: 1Z999", "status_after": "closed"})
    assert sent.status_code == 302
    assert OutboundEmail.objects.get().body_text.count("1Z999") == 1


def test_the_refusal_is_translated(desk, bob):
    bob.language = "fr"
    bob.save()
    thread = make_thread()
    refused = desk.post(
        f"/desk/threads/{thread.pk}/reply/",
        {"text": "{order_reference}", "status_after": "closed"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "Aucune valeur pour {order_reference}" in refused.content.decode()


@pytest.mark.parametrize("extra", [3, 60])
def test_the_thread_page_with_saved_replies_runs_a_bounded_number_of_queries(
    desk, bob, thread_with_order, extra, django_assert_max_num_queries
):
    for number in range(extra):
        save(
            f"Text {number} {{order_status}}", name=f"R{number}", owner=bob if number % 2 else None
        )
    desk.get(f"/desk/threads/{thread_with_order.pk}/")
    with django_assert_max_num_queries(20):
        response = desk.get(f"/desk/threads/{thread_with_order.pk}/")
    assert len(offered(response)) == extra
