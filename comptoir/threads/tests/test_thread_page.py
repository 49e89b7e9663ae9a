"""One thread in the back office: every action, its event and its e-mail."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comptoir.mail.outbox import outbox_deliver
from comptoir.shop.models import OrderHistory, OrderState
from comptoir.testing import make_customer, make_order, make_thread
from comptoir.threads import arrivals, services
from comptoir.threads.emails import subject_markers
from comptoir.threads.messages import CustomerMessage, Upload
from comptoir.threads.models import (
    DeskSettings,
    EmailKind,
    EmailStatus,
    EventKind,
    OutboundEmail,
    Source,
    Status,
    Thread,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, bob):
    client.force_login(bob)
    return client


def html(response):
    return response.content.decode()


def test_the_page_shows_the_thread_and_marks_it_read(desk):
    thread = make_thread(text="Where is my parcel?")
    response = desk.get(f"/desk/threads/{thread.pk}/")
    assert response.status_code == 200
    page = html(response)
    assert f"Thread #{thread.pk}" in page
    assert "Where is my parcel?" in page
    thread.refresh_from_db()
    assert not thread.is_unread


def test_the_reply_form_is_prefilled_with_the_default_message_in_the_threads_language(desk):
    DeskSettings.load()
    thread = make_thread(language="es")
    page = html(desk.get(f"/desk/threads/{thread.pk}/"))
    assert "Estimado cliente:" in page


@pytest.mark.parametrize(
    ("status", "buttons", "absent"),
    [
        (
            Status.OPEN,
            ['Mark as "handled"', 'Mark as "pending 1"', 'Mark as "pending 2"'],
            ["Re-open"],
        ),
        (Status.CLOSED, ["Re-open"], ['Mark as "handled"']),
        (
            Status.PENDING1,
            ["Disable pending status", 'Mark as "pending 2"'],
            ['Mark as "pending 1"'],
        ),
    ],
)
def test_status_buttons_follow_the_status(desk, bob, status, buttons, absent):
    thread = make_thread()
    services.thread_set_status(thread=thread, employee=bob, status=status)
    page = html(desk.get(f"/desk/threads/{thread.pk}/"))
    for button in buttons:
        assert button in page
    for button in absent:
        assert f">{button}<" not in page


def test_a_status_button_changes_the_status_and_records_it(desk, bob):
    thread = make_thread()
    response = desk.post(f"/desk/threads/{thread.pk}/status/", {"status": "pending2"})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.status == Status.PENDING2
    assert thread.events.filter(kind=EventKind.STATUS, employee=bob).exists()
    assert desk.post(f"/desk/threads/{thread.pk}/status/", {"status": "bogus"}).status_code == 302
    thread.refresh_from_db()
    assert thread.status == Status.PENDING2


def test_status_changes_need_a_post(desk):
    thread = make_thread()
    assert desk.get(f"/desk/threads/{thread.pk}/status/?status=closed").status_code == 405


def test_replying_sends_the_email_to_a_real_server_and_marks_the_thread_handled(desk, smtp):
    thread = make_thread(text="Where is my parcel?")
    response = desk.post(
        f"/desk/threads/{thread.pk}/reply/",
        {"text": "Dear Customer,\n\nIt left today.\n\nRegards", "status_after": "closed"},
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.status == Status.CLOSED
    page = html(desk.get(f"/desk/threads/{thread.pk}/"))
    assert "Queued" in page
    assert outbox_deliver().sent == 1
    page = html(desk.get(f"/desk/threads/{thread.pk}/"))
    assert "Sent" in page
    (received,) = smtp.parsed()
    assert received["To"] == "alice@example.com"
    assert "It left today." in received.get_content()
    assert f"{subject_markers(thread)}" in received["Subject"]


def test_a_reply_can_keep_the_thread_pending_and_carry_attachments(desk):
    thread = make_thread()
    files = [
        SimpleUploadedFile("label.pdf", b"%PDF-1.4 label", content_type="application/pdf"),
        SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, content_type="image/png"),
    ]
    desk.post(
        f"/desk/threads/{thread.pk}/reply/",
        {"text": "Here are the documents", "status_after": "pending1", "attachments": files},
    )
    thread.refresh_from_db()
    assert thread.status == Status.PENDING1
    reply = thread.messages.latest("id")
    assert sorted(a.original_name for a in reply.attachments.all()) == ["label.pdf", "photo.png"]
    assert reply.outbound_email.attachments.count() == 2


def test_a_disguised_reply_attachment_is_refused_and_nothing_is_sent(desk):
    thread = make_thread()
    response = desk.post(
        f"/desk/threads/{thread.pk}/reply/",
        {
            "text": "See attached",
            "status_after": "closed",
            "attachments": [SimpleUploadedFile("invoice.pdf", b"<html>hi</html>")],
        },
    )
    assert response.status_code == 400
    assert "invoice.pdf cannot be attached" in html(response)
    assert not OutboundEmail.objects.exists()


def test_a_blank_reply_shows_an_error(desk):
    thread = make_thread()
    response = desk.post(
        f"/desk/threads/{thread.pk}/reply/", {"text": "  ", "status_after": "closed"}
    )
    assert response.status_code == 400
    assert "The message cannot be blank." in html(response)


def test_a_private_note_is_shown_to_employees_only(desk, client):
    thread = make_thread()
    desk.post(f"/desk/threads/{thread.pk}/note/", {"note": "Customer is a VIP"})
    assert "Customer is a VIP" in html(desk.get(f"/desk/threads/{thread.pk}/"))
    assert "Customer is a VIP" not in html(client.get(f"/contact/t/{thread.link_secret}/"))
    assert not OutboundEmail.objects.exists()


def test_forwarding_to_a_colleague_assigns_and_emails_them(desk, charlie, smtp):
    thread = make_thread(text="I want a refund")
    desk.post(
        f"/desk/threads/{thread.pk}/forward/",
        {"target": str(charlie.pk), "comment": "Please handle the refund"},
    )
    thread.refresh_from_db()
    assert thread.assignee == charlie
    assert outbox_deliver().sent == 1
    (received,) = smtp.parsed()
    assert received["To"].addresses[0].addr_spec == charlie.email
    body = received.get_content()
    assert "I want a refund" in body
    assert "Please handle the refund" in body
    assert thread.messages.filter(private=True, text__startswith="Message forwarded to").exists()


def test_forwarding_to_someone_else_needs_a_valid_address(desk):
    thread = make_thread()
    response = desk.post(
        f"/desk/threads/{thread.pk}/forward/", {"target": "other", "email": "not-an-address"}
    )
    assert response.status_code == 400
    assert not OutboundEmail.objects.exists()
    desk.post(
        f"/desk/threads/{thread.pk}/forward/",
        {"target": "other", "email": "carrier@example.org", "comment": "Parcel lost"},
    )
    email = OutboundEmail.objects.get()
    assert (email.kind, email.to_email) == (EmailKind.FORWARD, "carrier@example.org")


@pytest.mark.parametrize(
    ("language", "required", "invalid"),
    [
        ("en", "This field is required.", "The email address is invalid."),
        ("fr", "Ce champ est obligatoire.", "L'adresse e-mail n'est pas valide."),
    ],
)
def test_an_empty_someone_else_address_is_reported_as_required_not_invalid(
    desk, bob, language, required, invalid
):
    import html as entities

    bob.language = language
    bob.save(update_fields=["language"])
    thread = make_thread()
    response = desk.post(f"/desk/threads/{thread.pk}/forward/", {"target": "other", "email": ""})
    assert response.status_code == 400
    page = entities.unescape(html(response))
    assert required in page
    assert invalid not in page
    assert not OutboundEmail.objects.exists()


def test_assigning_from_the_page(desk, charlie):
    thread = make_thread()
    desk.post(f"/desk/threads/{thread.pk}/assign/", {"assignee": str(charlie.pk)})
    thread.refresh_from_db()
    assert thread.assignee == charlie
    desk.post(f"/desk/threads/{thread.pk}/assign/", {"assignee": ""})
    assert Thread.objects.get(pk=thread.pk).assignee is None


def test_next_unanswered_goes_to_the_oldest_open_thread_awaiting_us(desk, bob):
    current = make_thread(email="current@example.com")
    oldest = make_thread(email="oldest@example.com")
    newer = make_thread(email="newer@example.com")
    answered = make_thread(email="answered@example.com")
    services.thread_reply(thread=answered, employee=bob, text="done", status_after=Status.OPEN)
    Thread.objects.filter(pk=oldest.pk).update(last_customer_message_at="2026-01-01T00:00:00Z")
    response = desk.get(f"/desk/threads/{current.pk}/next/")
    assert response["Location"] == f"/desk/threads/{oldest.pk}/"
    # The list's filters are honoured: filtering on an address keeps to it.
    desk.get("/desk/?email=newer")
    response = desk.get(f"/desk/threads/{current.pk}/next/")
    assert response["Location"] == f"/desk/threads/{newer.pk}/"
    desk.get("/desk/?email=nobody")
    response = desk.get(f"/desk/threads/{current.pk}/next/")
    assert response["Location"] == f"/desk/threads/{current.pk}/"


def test_a_failed_email_shows_its_reason_and_can_be_retried(desk, bob, smtp):
    smtp.refuse["alice@example.com"] = "550 5.1.1 mailbox unknown"
    thread = make_thread()
    services.thread_reply(thread=thread, employee=bob, text="Hello")
    outbox_deliver()
    page = html(desk.get(f"/desk/threads/{thread.pk}/"))
    assert "Failed" in page
    assert "mailbox unknown" in page
    email = OutboundEmail.objects.get()
    smtp.refuse.clear()
    desk.post(f"/desk/threads/{thread.pk}/emails/{email.pk}/retry/")
    assert outbox_deliver().sent == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT


def test_the_retry_form_carries_a_csrf_token_that_is_accepted(bob, smtp):
    smtp.refuse["alice@example.com"] = "550 5.1.1 mailbox unknown"
    thread = make_thread()
    services.thread_reply(thread=thread, employee=bob, text="Hello")
    outbox_deliver()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(bob)
    page = html(browser.get(f"/desk/threads/{thread.pk}/"))
    email = OutboundEmail.objects.get()
    form = page[page.index(f'action="/desk/threads/{thread.pk}/emails/{email.pk}/retry/"') :]
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert found is not None
    token = found.group(1)
    url = f"/desk/threads/{thread.pk}/emails/{email.pk}/retry/"
    assert browser.post(url).status_code == 403
    assert browser.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED


def test_the_customer_panel_and_the_order_timeline(desk):
    alice = make_customer("Alice")
    order = make_order(alice, reference="ZXCVBNMLK")
    make_order(alice, reference="INVALID01", valid=False)
    shipped = OrderState.objects.create(name={"en": "Shipped"}, color="#8A2BE2")
    OrderHistory.objects.create(order=order, state=shipped)
    thread = make_thread(customer=alice, order=order)
    page = html(desk.get(f"/desk/threads/{thread.pk}/"))
    assert "1 order validated for a total amount of €49.90" in page
    assert "Customer since:" in page
    assert f'href="/desk/customers/{alice.pk}/"' in page
    assert "Orders and messages history" in page
    assert "Shipped" in page
    assert 'fill="#8A2BE2"' in page
    assert f'href="/desk/orders/{order.pk}/"' in page


def test_a_guest_shows_the_email_only(desk):
    thread = make_thread(email="guest@example.com")
    page = html(desk.get(f"/desk/threads/{thread.pk}/"))
    assert "Guest" in page
    assert "Customer since" not in page


def test_html_in_messages_is_escaped(desk):
    thread = make_thread(text='<script>alert(1)</script><b onclick="x()">bold</b>')
    page = html(desk.get(f"/desk/threads/{thread.pk}/"))
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("extra", [3, 50])
def test_the_thread_page_runs_a_bounded_number_of_queries(
    desk, bob, charlie, extra, django_assert_max_num_queries
):
    alice = make_customer("Alice")
    order = make_order(alice)
    state = OrderState.objects.create(name={"en": "Paid"}, color="#32CD32")
    thread = make_thread(customer=alice, order=order)
    for n in range(extra):
        arrivals.thread_receive(
            thread=thread, incoming=CustomerMessage(text=f"q{n}", source=Source.EMAIL)
        )
        label = SimpleUploadedFile(f"label{n}.pdf", b"%PDF-1.4 label")
        services.thread_reply_with_files(
            thread=thread,
            employee=bob,
            text=f"a{n}",
            status_after=Status.OPEN,
            uploads=[Upload(content=label, name=f"label{n}.pdf", content_type="application/pdf")],
        )
        services.thread_note(thread=thread, employee=charlie, text=f"n{n}")
        OrderHistory.objects.create(order=order, state=state)
    charlie.is_active = False  # a former employee's notes and events keep their name
    charlie.save(update_fields=["is_active"])
    desk.get(f"/desk/threads/{thread.pk}/")
    with django_assert_max_num_queries(20):
        response = desk.get(f"/desk/threads/{thread.pk}/")
    assert response.status_code == 200
    assert f"label{extra - 1}.pdf" in response.content.decode()


def test_an_html_email_is_shown_sandboxed_and_escaped_into_srcdoc(desk):
    thread = make_thread()
    arrivals.thread_receive(
        thread=thread,
        incoming=CustomerMessage(
            text="Bonjour",
            source=Source.EMAIL,
            html='<p>Bonjour <b>équipe</b></p><a href="https://example.com/?a=1&b=2">lien</a>',
        ),
    )
    page = html(desk.get(f"/desk/threads/{thread.pk}/"))
    assert '<iframe class="mail-html" sandbox srcdoc="&lt;p&gt;Bonjour &lt;b&gt;équipe' in page
    assert "&amp;b=2" in page
    assert "allow-scripts" not in page


def test_a_former_employees_messages_and_events_keep_their_name(desk, charlie):
    thread = make_thread(text="Where is my parcel?")
    services.thread_reply(
        thread=thread, employee=charlie, text="It left.", status_after=Status.OPEN
    )
    services.thread_assign(thread=thread, employee=charlie, assignee=charlie)
    charlie.is_active = False
    charlie.save(update_fields=["is_active"])
    page = html(desk.get(f"/desk/threads/{thread.pk}/"))
    assert charlie.full_name in page  # on the reply
    assert f"— {charlie.short_name}" in page  # in the timeline
    # …but a former employee is no longer offered as an assignee.
    assignees = re.search(r'<select name="assignee".*?</select>', page, re.S)
    assert assignees
    assert f'value="{charlie.pk}"' not in assignees[0]


def test_an_id_too_large_for_the_database_is_not_found(desk):
    assert desk.get(f"/desk/threads/{2**70}/").status_code == 404
