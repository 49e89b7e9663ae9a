"""An employee's day in Chromium, on the demo shop: contact box → oldest unread thread → reply
with the default message (queued, then sent to a real SMTP server) → forward → status → next
unanswered → the order page with a predefined message. Screenshots go to var/screenshots/."""

import re

import pytest

from comptoir import demo
from comptoir.mail.outbox import outbox_deliver
from comptoir.threads.models import Status, Thread

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long demo password"


def thread_id_in(url: str) -> int:
    found = re.search(r"/threads/(\d+)/", url)
    assert found, url
    return int(found[1])


def test_an_employee_works_through_the_customer_service_page(
    live_server, page, smtp, screenshot_dir
):
    demo.demo_load(admin_password=PASSWORD)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}/desk/")
    page.get_by_label("E-mail address").fill(demo.DEMO_ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Customer Service", exact=True).wait_for()
    page.screenshot(path=screenshot_dir / "desk-home.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.evaluate("document.getElementById('threads-title').scrollIntoView()")
    page.screenshot(path=screenshot_dir / "desk-home-phone.png")
    page.set_viewport_size({"width": 1400, "height": 1000})

    oldest = (
        Thread.objects.filter(contact__name__en="Customer service", is_unread=True)
        .order_by("last_customer_message_at", "id")
        .first()
    )
    assert oldest is not None
    box = page.get_by_role("region", name="Customer service").get_by_role("link")
    found = re.match(r"(\d+)", box.inner_text())
    assert found
    count = int(found[1])
    assert count >= 1
    box.click()
    page.get_by_role("heading", name=re.compile(r"Thread #\d+")).wait_for()
    thread_id = thread_id_in(page.url)
    assert thread_id == oldest.pk
    thread = Thread.objects.get(pk=thread_id)
    assert not thread.is_unread  # opening it read it

    answer = page.get_by_role("textbox", name="Your answer")
    assert answer.input_value().startswith(
        {"en": "Dear Customer", "fr": "Cher client", "es": "Estimado cliente"}[thread.language]
    )
    answer.fill(
        answer.input_value().replace("\n\n", "\n\nWe are looking into it right away.\n\n", 1)
    )
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("The message was successfully sent to the customer.").wait_for()
    assert page.get_by_text("Queued").count() >= 1
    assert outbox_deliver().sent >= 1
    page.reload()
    page.get_by_text("Sent", exact=True).last.wait_for()
    assert any(thread.email in str(m["To"]) for m in smtp.parsed())
    page.screenshot(path=screenshot_dir / "desk-thread.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / "desk-thread-phone.png")
    page.get_by_role("link", name="Jump to reply").click()
    # the reply box is on screen, above the action bar at the bottom
    assert answer.evaluate(
        "box => { const r = box.getBoundingClientRect();"
        " return r.top >= 0 && r.top < innerHeight - 150; }"
    )
    page.screenshot(path=screenshot_dir / "desk-thread-phone-reply.png")
    page.set_viewport_size({"width": 1400, "height": 1000})

    page.get_by_label("Forward to").select_option(label="L. Bernard")
    page.get_by_label("Comment").fill("Could you take this one?")
    page.get_by_role("button", name="Forward").click()
    page.get_by_text("Message forwarded to lucie@comptoir.test").wait_for()
    assignee = Thread.objects.get(pk=thread_id).assignee
    assert assignee is not None
    assert assignee.email == "lucie@comptoir.test"

    page.get_by_role("button", name='Mark as "pending 1"').click()
    page.get_by_text("The status has been successfully updated.").wait_for()
    assert Thread.objects.get(pk=thread_id).status == Status.PENDING1

    page.get_by_role("link", name="Reply to the next unanswered message").click()
    page.wait_for_load_state()
    next_id = thread_id_in(page.url)
    assert (
        next_id != thread_id
        or Thread.objects.filter(last_message_from="customer", status="open").count() == 0
    )

    with_order = Thread.objects.filter(order__isnull=False).order_by("-id").first()
    assert with_order is not None
    page.goto(f"{live_server.url}/desk/orders/{with_order.order_id}/")
    page.get_by_label("Choose a standard message").select_option(index=1)
    message_box = page.get_by_label("Message", exact=True)
    page.wait_for_function("document.getElementById('id_message').value.length > 0")
    assert len(message_box.input_value()) > 20
    page.get_by_role("button", name="Send message").click()
    page.get_by_text("Comment successfully added.").wait_for()
    page.screenshot(path=screenshot_dir / "desk-order.png", full_page=True)
