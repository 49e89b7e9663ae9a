"""In Chromium, on a phone (390 px) and a laptop (1366 px): the reply box of a French thread whose
customer copied someone shows the copies filled in and the French signature Send will add; the
page does not scroll sideways; Send e-mails the copies. Screenshots go to var/screenshots/."""

import pytest

from comptoir.staff.services import employee_signature_set
from comptoir.testing import PASSWORD, make_customer, make_thread
from comptoir.threads import arrivals
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import EmailKind, OutboundEmail, Source

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1366])
def test_the_reply_box_shows_the_copies_and_the_signature_and_sends_them(
    live_server, page, bob, screenshot_dir, width
):
    employee_signature_set(
        employee=bob,
        signature={"en": "{employee_first_name}", "fr": "{employee_first_name}\nService client"},
    )
    alice = make_customer("Alice", language="fr")
    thread = make_thread(customer=alice, language="fr", text="Où est mon colis ?")
    arrivals.thread_receive(
        thread=thread,
        incoming=CustomerMessage(
            text="Mon mari est en copie.",
            source=Source.EMAIL,
            cc="tom.doe-longname@example.org, mia@example.net",
        ),
    )
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_label("E-mail address").fill(bob.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/")
    page.goto(f"{live_server.url}/desk/threads/{thread.pk}/")

    cc = page.get_by_role("textbox", name="Cc", exact=True)
    assert cc.input_value() == "tom.doe-longname@example.org, mia@example.net"
    signature = page.locator(".reply-signature")
    assert "Signature added:" in signature.inner_text()
    assert "Service client" in signature.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.locator("#reply-form").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"desk-reply-cc-signature-{width}.png")

    cc.fill("tom.doe-longname@example.org, mia@example.net, not an address")
    page.get_by_role("button", name="Send", exact=True).click()
    error = page.get_by_text("not an address is not a valid e-mail address.")
    error.wait_for()
    error.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"desk-reply-cc-error-{width}.png")
    page.get_by_role("textbox", name="Cc", exact=True).fill("mia@example.net")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Cc: mia@example.net").wait_for()
    email = OutboundEmail.objects.get(kind=EmailKind.REPLY)
    assert email.cc == "mia@example.net"
    assert email.body_text.split("\n--\n")[0].rstrip().endswith("Bob\nService client")
