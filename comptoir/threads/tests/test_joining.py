"""Only a proof joins a customer's existing thread (issue 17, point 1; REFERENCE B2): the
conversation link, a customer the shop says is signed in (API), or our signed Message-IDs and
reply markers in mail from the thread's participants. An address alone opens a new thread,
whichever way it comes in."""

import json
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client

from comptoir.api.models import Scope
from comptoir.api.services import api_key_create
from comptoir.contact_form.forms import form_token
from comptoir.mail.models import InboundStatus
from comptoir.mail.tests.test_process import mail, receive
from comptoir.testing import default_contact, make_customer, make_thread
from comptoir.threads import services
from comptoir.threads.emails import subject_markers
from comptoir.threads.models import RateCounter, Status, Thread

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits(db):
    cache.clear()
    RateCounter.objects.all().delete()


@pytest.fixture
def alices_thread(bob):
    """Alice's thread, answered and closed: every channel below tries to write into it."""
    thread = make_thread(email="alice@example.com", text="Where is my parcel?")
    services.thread_reply(thread=thread, employee=bob, text="It left yesterday.")
    thread.refresh_from_db()
    assert thread.status == Status.CLOSED
    return thread


@pytest.fixture
def shop_api(charlie):
    _key, secret = api_key_create(
        name="Shop", scope=Scope.WRITE, employee=charlie, created_by=charlie
    )
    return Client(headers={"Authorization": f"Bearer {secret}"})


def form_post(client: Client, text: str, url: str = "/contact/"):
    with mock.patch("time.time", return_value=time.time() - 10):
        token = form_token()
    data = {
        "contact": default_contact().pk,
        "email": "alice@example.com",
        "order_reference": "",
        "message": text,
        "website": "",
        "form_token": token,
    }
    return client.post(url, data, REMOTE_ADDR="198.51.100.7")


def api_post(api: Client, text: str, **extra: str):
    body = {"contact_id": default_contact().pk, "email": "alice@example.com", "message": text}
    return api.post(
        "/api/v1/contact-messages", json.dumps({**body, **extra}), content_type="application/json"
    )


def assert_untouched(thread: Thread) -> None:
    thread.refresh_from_db()
    assert thread.status == Status.CLOSED
    assert list(thread.messages.values_list("text", flat=True)) == [
        "Where is my parcel?",
        "It left yesterday.",
    ]


def test_the_contact_form_the_api_and_mail_all_refuse_to_join_a_thread_without_a_proof(
    client, shop_api, alices_thread
):
    assert form_post(client, "Refund to IBAN FR76 1111").status_code == 302
    assert api_post(shop_api, "Refund to IBAN FR76 2222").status_code == 201
    inbound = receive(mail(subject="Re: your order", body="Refund to IBAN FR76 3333"))
    assert inbound.status == InboundStatus.IMPORTED
    assert_untouched(alices_thread)
    others = Thread.objects.exclude(pk=alices_thread.pk)
    assert others.count() == 3
    assert {t.messages.get().text for t in others} == {
        "Refund to IBAN FR76 1111",
        "Refund to IBAN FR76 2222",
        "Refund to IBAN FR76 3333",
    }


def test_markers_or_a_signed_reference_from_another_sender_join_nothing(alices_thread):
    our_id = alices_thread.messages.latest("id").message_id
    by_id = receive(mail(sender="mallory@example.org", in_reply_to=our_id, references=our_id))
    subject = f"Re: {subject_markers(alices_thread)}"
    by_markers = receive(mail(sender="mallory@example.org", subject=subject))
    assert by_id.thread != alices_thread
    assert by_markers.thread != alices_thread
    assert_untouched(alices_thread)


def test_each_proof_joins_the_thread(client, shop_api, alices_thread):
    alice = make_customer("Alice", email="alice@example.com")
    alice.external_id = "C-1"
    alice.save(update_fields=["external_id"])
    Thread.objects.filter(pk=alices_thread.pk).update(customer=alice)
    form_post(client, "By the link", url=f"/contact/t/{alices_thread.link_secret}/")
    api_post(shop_api, "Signed in at the shop", customer="C-1")
    receive(mail(subject=f"Re: {subject_markers(alices_thread)}", body="By the markers"))
    our_id = alices_thread.messages.filter(message_id__startswith="<ct.").latest("id").message_id
    receive(mail(in_reply_to=our_id, references=our_id, body="By our Message-ID"))
    texts = set(alices_thread.messages.values_list("text", flat=True))
    assert {
        "By the link",
        "Signed in at the shop",
        "By the markers",
        "By our Message-ID",
    } <= texts
    assert Thread.objects.count() == 1
