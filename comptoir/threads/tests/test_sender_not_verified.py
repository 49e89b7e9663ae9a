"""A contact-form message linked to a registered customer by its typed address alone is marked
"Sender not verified" on the thread page (issue 17's "not done", issue 18); a message that came
with a proof — the conversation link, or the customer the shop says is signed in — is not."""

import time
from unittest import mock

import pytest
from django.core.cache import cache

from comptoir.contact_form.forms import form_token
from comptoir.testing import default_contact, logged_in_client, make_customer, make_order
from comptoir.threads.models import Message, RateCounter, SenderProof, Thread
from comptoir.threads.tests.test_joining import api_post, form_post, shop_api  # noqa: F401

pytestmark = pytest.mark.django_db
MARK = "Sender not verified"


@pytest.fixture(autouse=True)
def _fresh_limits(db):
    cache.clear()
    RateCounter.objects.all().delete()


@pytest.fixture
def alice(db):
    customer = make_customer("Alice", email="alice@example.com")
    customer.external_id = "C-1"
    customer.save(update_fields=["external_id"])
    return customer


def thread_page(bob, thread: Thread) -> str:
    return logged_in_client(bob).get(f"/desk/threads/{thread.pk}/").content.decode()


def test_a_typed_address_linked_to_a_customer_is_marked_not_verified(client, bob, alice):
    form_post(client, "Please refund me to this IBAN")
    thread = Thread.objects.get()
    assert thread.customer == alice
    message = Message.objects.get(thread=thread)
    assert message.sender_proof == SenderProof.NONE
    page = thread_page(bob, thread)
    assert page.count(MARK) == 1
    assert "nothing proves the customer wrote it" in page


def test_a_typed_address_with_the_customers_order_reference_is_not_a_proof(client, bob, alice):
    order = make_order(alice, reference="ABCDEFGHI")
    with mock.patch("time.time", return_value=time.time() - 10):
        token = form_token()
    data = {
        "contact": default_contact().pk,
        "email": "alice@example.com",
        "order_reference": "ABCDEFGHI",
        "message": "About my order",
        "website": "",
        "form_token": token,
    }
    assert client.post("/contact/", data, REMOTE_ADDR="198.51.100.7").status_code == 302
    thread = Thread.objects.get()
    assert thread.order == order
    assert MARK in thread_page(bob, thread)


def test_a_message_through_the_conversation_link_is_not_marked(client, bob, alice):
    form_post(client, "First, typed")
    thread = Thread.objects.get()
    form_post(client, "Then by the link", url=f"/contact/t/{thread.link_secret}/")
    proofs = dict(thread.messages.values_list("text", "sender_proof"))
    assert proofs == {"First, typed": SenderProof.NONE, "Then by the link": SenderProof.LINK}
    assert thread_page(bob, thread).count(MARK) == 1  # the first message only


def test_a_customer_signed_in_at_the_shop_is_not_marked(bob, alice, shop_api):  # noqa: F811
    response = api_post(shop_api, "Signed in at the shop", customer="C-1")
    assert response.status_code in (200, 201)
    thread = Thread.objects.get()
    assert Message.objects.get(thread=thread).sender_proof == SenderProof.SIGNED_IN
    assert MARK not in thread_page(bob, thread)


def test_an_address_of_nobody_registered_is_not_marked(client, bob):
    form_post(client, "Hello")
    thread = Thread.objects.get()
    assert thread.customer is None
    assert MARK not in thread_page(bob, thread)


def test_the_mark_is_translated(client, bob, alice):
    bob.language = "fr"
    bob.save(update_fields=["language"])
    form_post(client, "Bonjour")
    assert "Expéditeur non vérifié" in thread_page(bob, Thread.objects.get())
