"""The Jinja2 partials: what they draw, in the employee's language, and what they must not add."""

import re

import pytest
from django.template import engines
from django.template.backends.jinja2 import Jinja2
from django.utils import translation

from comptoir.shop.models import OrderHistory, OrderState
from comptoir.testing import logged_in_client, make_customer, make_employee, make_order, make_thread
from comptoir.threads.models import Message, Source

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    """The employee's language, activated by the middleware, does not outlive the test."""
    with translation.override(translation.get_language()):
        yield


def partial_env():
    engine = engines["partials"]
    assert isinstance(engine, Jinja2)
    return engine.env


@pytest.mark.parametrize(
    ("language", "order", "status"),
    [("en", "Order", "Status:"), ("fr", "Commande", "État :"), ("es", "Pedido", "Estado:")],
)
def test_the_history_names_the_order_in_the_employees_language(language, order, status):
    alice = make_customer("Alice")
    reference = make_order(alice, reference="ZXCVBNMLK")
    shipped = OrderState.objects.create(name={"en": "Shipped", "fr": "Expédiée", "es": "Enviado"})
    OrderHistory.objects.create(order=reference, state=shipped)
    thread = make_thread(customer=alice, order=reference)
    client = logged_in_client(make_employee("Emma", language=language))
    page = client.get(f"/desk/threads/{thread.pk}/").content.decode()
    entry = re.search(r'<li class="timeline-order">.*?</li>', page, re.S)
    assert entry is not None
    text = " ".join(re.sub(r"<[^>]*>", " ", entry.group()).split())
    assert f"{order} ZXCVBNMLK — {status} {shipped.name[language]}" in text


def test_a_message_text_is_drawn_as_written_with_nothing_added_around_it(bob):
    text = "First line\n    indented\n\n\tlast line "
    quoted = "> On Monday you wrote:\n>  hello"
    thread = make_thread(text="Hello")
    Message.objects.create(
        thread=thread, author="customer", text=text, quoted_text=quoted, source=Source.EMAIL
    )
    page = logged_in_client(bob).get(f"/desk/threads/{thread.pk}/").content.decode()
    assert f'<div class="text">{text}</div>' in page
    assert f'<div class="text">{quoted.replace(">", "&gt;")}</div>' in page


def test_the_rows_label_their_checkbox_in_the_employees_language():
    thread = make_thread()
    client = logged_in_client(make_employee("Emma", language="fr"))
    page = client.get("/desk/").content.decode()
    assert f'aria-label="Sélectionner la discussion n° {thread.pk}"' in page


def test_a_translation_and_the_values_it_is_filled_with_are_escaped():
    template = partial_env().from_string(
        '{{ _("Order %(reference)s")|format(reference=ref) }}|{{ _("a < b & c") }}'
    )
    with translation.override("en"):
        assert template.render(ref="<b>X") == "Order &lt;b&gt;X|a &lt; b &amp; c"


def test_a_line_holding_only_a_tag_leaves_nothing_in_the_output():
    template = partial_env().from_string("<p>\n  {% if true %}\n  <b>x</b>\n  {% endif %}\n</p>")
    assert template.render() == "<p>\n  <b>x</b>\n</p>"
