"""Variables in saved replies and order messages: a plain substitution from an allow-list."""

import pytest

from comptoir.shop.models import OrderState
from comptoir.testing import make_order, make_thread
from comptoir.threads.services import ThreadError, thread_reply
from comptoir.threads.variables import (
    VARIABLES,
    variable_values,
    variables_fill,
    variables_unfilled,
)


def test_known_variables_are_replaced_by_their_values():
    filled = variables_fill(
        "Hello {customer_first_name}, order {order_reference} is {order_status}.",
        {"customer_first_name": "Alice", "order_reference": "XKB", "order_status": "Shipped"},
    )
    assert filled.text == "Hello Alice, order XKB is Shipped."
    assert filled.missing == ()


def test_a_missing_value_stays_as_a_visible_mark_and_is_named():
    filled = variables_fill(
        "Tracking: {tracking_number}, {tracking_number}; {customer_first_name}",
        {"customer_first_name": " "},
    )
    assert filled.text == "Tracking: {tracking_number}, {tracking_number}; {customer_first_name}"
    assert filled.missing == ("tracking_number", "customer_first_name")


def test_unknown_words_and_other_braces_stay_as_typed():
    text = "Use {coupon} or {} or {{shop_name}} or {Shop_Name} or { shop_name } or a set {1, 2}"
    filled = variables_fill(text, {"shop_name": "Shop"})
    assert filled.text == (
        "Use {coupon} or {} or {Shop} or {Shop_Name} or { shop_name } or a set {1, 2}"
    )
    assert filled.missing == ()


def test_there_is_no_attribute_or_index_access():
    values = {"customer_first_name": "Alice"}
    for text in (
        "{customer_first_name.__class__}",
        "{customer_first_name[0]}",
        "{customer_first_name!r}",
        "{customer_first_name:>10}",
        "{__class__}",
    ):
        assert variables_fill(text, values).text == text


def test_a_value_that_looks_like_a_variable_is_not_replaced_again():
    filled = variables_fill("{customer_first_name}", {"customer_first_name": "{shop_name}"})
    assert filled.text == "{shop_name}"


def test_prestashop_names_are_aliases_of_the_customer_names():
    filled = variables_fill("Dear {firstname} {lastname}", {"customer_first_name": "Ana"})
    assert filled.text == "Dear Ana {lastname}"
    assert filled.missing == ("customer_last_name",)


def test_unfilled_lists_the_known_variables_still_written():
    assert variables_unfilled("a {tracking_number} {coupon} {firstname} {tracking_number}") == (
        "{tracking_number}",
        "{firstname}",
    )
    assert variables_unfilled("a set {1, 2} and {coupon}") == ()


@pytest.mark.django_db
def test_values_come_from_the_thread_s_customer_and_order_in_its_language(alice, bob):
    state = OrderState.objects.create(name={"en": "Shipped", "fr": "Expédiée"})
    order = make_order(alice)
    order.current_state = state
    order.save()
    values = variable_values(customer=alice, order=order, employee=bob, language="fr")
    assert values["customer_first_name"] == "Alice"
    assert values["order_reference"] == "XKBKNABJK"
    assert values["order_status"] == "Expédiée"
    assert values["order_total"].startswith("49,90")
    assert values["employee_first_name"] == "Bob"
    assert values["shop_name"]
    assert "tracking_number" not in values
    assert set(values) <= set(VARIABLES)


@pytest.mark.django_db
def test_without_order_the_order_variables_are_missing(bob):
    values = variable_values(customer=None, order=None, employee=bob, language="en")
    filled = variables_fill("{order_reference} {customer_first_name}", values)
    assert filled.missing == ("order_reference", "customer_first_name")


@pytest.mark.django_db
def test_the_reply_service_refuses_a_text_holding_an_unfilled_variable(bob):
    thread = make_thread()
    with pytest.raises(ThreadError, match=r"\{tracking_number\}"):
        thread_reply(thread=thread, employee=bob, text="Your parcel: {tracking_number}")
    assert thread.messages.filter(author="employee").count() == 0
    message = thread_reply(thread=thread, employee=bob, text="Use the code {coupon} {1, 2}")
    assert message.text == "Use the code {coupon} {1, 2}"
