"""A reply's signature (in the thread's language) and its copies (Cc), from the desk's form to
a real SMTP server on loopback."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.mail.outbox import outbox_deliver
from comptoir.staff.services import employee_signature_set
from comptoir.testing import make_customer, make_order, make_thread
from comptoir.threads import arrivals, services
from comptoir.threads.messages import CustomerMessage, Upload
from comptoir.threads.models import (
    Contact,
    EmailKind,
    OutboundEmail,
    SavedReply,
    Source,
    Status,
)

pytestmark = pytest.mark.django_db

SIGNATURES = {
    "en": "{employee_first_name}\nCustomer service, {shop_name}",
    "fr": "{employee_first_name}\nService client, {shop_name}",
}


@pytest.fixture
def desk(client, bob):
    employee_signature_set(employee=bob, signature=SIGNATURES)
    client.force_login(bob)
    return client


def send(desk, thread, **data):
    return desk.post(
        f"/desk/threads/{thread.pk}/reply/",
        {"text": "It left this morning.", "status_after": "closed", **data},
    )


def last_reply(thread):
    return thread.messages.filter(author="employee").latest("id")


def test_a_reply_in_a_french_thread_gets_the_french_signature(desk, settings, smtp):
    settings.COMPTOIR_SHOP_NAME = "La Boutique"
    thread = make_thread(language="fr", text="Où est mon colis ?")
    assert send(desk, thread).status_code == 302
    expected = "It left this morning.\n\nBob\nService client, La Boutique"
    assert last_reply(thread).text == expected  # stored as sent
    assert outbox_deliver().sent == 1
    (received,) = smtp.parsed()
    assert expected in received.get_content().replace("\r\n", "\n")
    assert "Customer service, La Boutique" not in received.get_content()


def test_a_reply_in_an_english_thread_gets_the_english_signature(desk):
    thread = make_thread(language="en")
    send(desk, thread)
    assert last_reply(thread).text == f"It left this morning.\n\nBob\nCustomer service, {_shop()}"
    email = OutboundEmail.objects.get(kind=EmailKind.REPLY)
    assert "Bob\nCustomer service," in email.body_text


def _shop() -> str:
    from django.conf import settings

    return str(settings.COMPTOIR_SHOP_NAME)


def test_a_language_without_a_signature_gets_the_default_languages(desk):
    thread = make_thread(language="es")
    send(desk, thread)
    assert last_reply(thread).text.endswith(f"Bob\nCustomer service, {_shop()}")


def test_a_signature_already_pasted_by_the_agent_is_not_added_twice(desk):
    thread = make_thread(language="en")
    pasted = f"It left.\n\nBob\n  Customer service, {_shop()}\n"
    send(desk, thread, text=pasted)
    assert last_reply(thread).text.count("Customer service,") == 1


def test_an_employee_without_a_signature_sends_the_text_as_typed(client, charlie):
    client.force_login(charlie)
    thread = make_thread()
    send(client, thread)
    assert last_reply(thread).text == "It left this morning."


def test_the_reply_box_shows_the_signature_that_send_will_add(desk):
    thread = make_thread(language="fr")
    page = desk.get(f"/desk/threads/{thread.pk}/").content.decode()
    assert "Signature added:" in page
    assert f"Service client, {_shop()}" in page
    assert 'href="/desk/account/signature/"' in page
    assert 'id="reply-form"' in page


def test_copies_typed_by_the_agent_reach_a_real_smtp_server_and_the_thread_shows_them(desk, smtp):
    thread = make_thread()
    response = send(desk, thread, cc="Tom <Tom@Example.org>; mia@example.net, tom@example.org")
    assert response.status_code == 302
    email = OutboundEmail.objects.get(kind=EmailKind.REPLY)
    assert email.cc == "tom@example.org, mia@example.net"
    assert last_reply(thread).cc == "tom@example.org, mia@example.net"
    assert outbox_deliver().sent == 1
    (envelope,) = smtp.messages
    assert sorted(envelope.rcpt_tos) == ["alice@example.com", "mia@example.net", "tom@example.org"]
    (received,) = smtp.parsed()
    assert [a.addr_spec for a in received["Cc"].addresses] == [
        "tom@example.org",
        "mia@example.net",
    ]
    page = desk.get(f"/desk/threads/{thread.pk}/").content.decode()
    assert "Cc: tom@example.org, mia@example.net" in page


def test_the_customers_own_address_is_not_copied_to_them_again(desk):
    thread = make_thread(email="alice@example.com")
    send(desk, thread, cc="ALICE@example.com, tom@example.org")
    assert OutboundEmail.objects.get(kind=EmailKind.REPLY).cc == "tom@example.org"


@pytest.mark.parametrize(
    ("cc", "error"),
    [
        ("tom@example.org, not an address", "not an address is not a valid e-mail address."),
        ("tom@example", "tom@example is not a valid e-mail address."),
        ("tom@example.org\r\nBcc: eve@example.org", "cannot contain line breaks"),
        ("tom@example.org\nX-Evil: 1", "cannot contain line breaks"),
        (", ".join(f"p{n}@example.org" for n in range(11)), "At most 10 copies per reply."),
    ],
)
def test_bad_copies_are_refused_with_a_sentence_and_nothing_is_sent(desk, cc, error):
    thread = make_thread()
    response = send(desk, thread, cc=cc)
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert "It left this morning." in page  # the text is kept
    assert not OutboundEmail.objects.filter(kind=EmailKind.REPLY).exists()
    assert thread.messages.count() == 1


def test_a_bad_copy_is_refused_in_french(desk, bob):
    bob.language = "fr"
    bob.save(update_fields=["language"])
    thread = make_thread()
    response = send(desk, thread, cc="pas une adresse")
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "pas une adresse n'est pas une adresse e-mail valide." in page


def test_the_service_refuses_copies_with_a_line_break_whatever_the_caller(bob):
    thread = make_thread()
    with pytest.raises(services.ThreadError):
        services.thread_reply(
            thread=thread, employee=bob, text="Hi", cc=["tom@example.org\r\nBcc: e@x.org"]
        )
    assert not OutboundEmail.objects.exists()


def test_the_reply_form_starts_with_the_copies_of_the_customers_latest_mail(desk):
    thread = make_thread(email="alice@example.com")
    arrivals.thread_receive(
        thread=thread,
        incoming=CustomerMessage(
            text="My husband is copied.",
            source=Source.EMAIL,
            cc="tom@example.org, alice@example.com, customer-service@shop.test, mia@example.net",
        ),
    )
    Contact.objects.filter(threads=thread).update(email="customer-service@shop.test")
    page = desk.get(f"/desk/threads/{thread.pk}/").content.decode()
    assert 'value="tom@example.org, mia@example.net"' in page
    assert "Cc: tom@example.org, alice@example.com" in page  # the message shows what it had


def test_without_copies_in_the_customers_mail_the_field_is_empty(desk):
    thread = make_thread()
    page = desk.get(f"/desk/threads/{thread.pk}/").content.decode()
    (field,) = re.findall(r'<input type="text" name="cc"[^>]*>', page)
    assert "value=" not in field


def test_an_order_pages_message_carries_no_copies(bob):
    alice = make_customer("Alice")
    order = make_order(alice)
    thread = make_thread(customer=alice, order=order)
    services.thread_reply(thread=thread, employee=bob, text="Hi", order=order, cc=["t@example.org"])
    assert OutboundEmail.objects.get(kind=EmailKind.ORDER_MESSAGE).cc == ""


@pytest.mark.parametrize("extra", [3, 40])
def test_the_thread_page_with_copies_and_a_signature_runs_a_bounded_number_of_queries(
    desk, bob, extra, django_assert_max_num_queries
):
    thread = make_thread()
    for n in range(extra):
        arrivals.thread_receive(
            thread=thread,
            incoming=CustomerMessage(text=f"q{n}", source=Source.EMAIL, cc="tom@example.org"),
        )
        label = SimpleUploadedFile(f"label{n}.pdf", b"%PDF-1.4 label")
        services.thread_reply_with_files(
            thread=thread,
            employee=bob,
            text=f"a{n}",
            status_after=Status.OPEN,
            uploads=[Upload(content=label, name=f"label{n}.pdf", content_type="application/pdf")],
            cc=["tom@example.org"],
            signed=True,
        )
    desk.get(f"/desk/threads/{thread.pk}/")
    with django_assert_max_num_queries(20):
        response = desk.get(f"/desk/threads/{thread.pk}/")
    assert response.status_code == 200


def test_inserting_a_saved_reply_without_javascript_keeps_the_typed_copies(desk):
    reply = SavedReply.objects.create(name={"en": "Thanks"}, text={"en": "Thank you."})
    thread = make_thread()
    response = desk.post(
        f"/desk/threads/{thread.pk}/reply/insert/",
        {"text": "Typed", "cc": "tom@example.org", "saved_reply": reply.pk},
    )
    assert response.status_code == 200
    assert 'name="cc" value="tom@example.org"' in response.content.decode()
    assert not OutboundEmail.objects.exists()
