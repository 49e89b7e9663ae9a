"""In Chromium, on a phone (390 px) and a laptop (1366 px): the reply box of a French thread whose
customer copied someone shows the copies filled in and the French signature Send will add; the
page does not scroll sideways; Send e-mails the copies. Screenshots go to var/screenshots/."""

from pathlib import Path

import pytest

from comptoir.staff.services import employee_signature_set
from comptoir.testing import PASSWORD, make_customer, make_thread
from comptoir.threads import arrivals
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import EmailKind, OutboundEmail, SenderProof, Source

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).parents[2] / "tests" / "static" / "axe.min.js"


def serious_violations(page):
    page.evaluate("() => {" + AXE.read_text(encoding="utf-8") + "\n}")
    return page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations']}).then(result =>
             result.violations
               .filter(v => v.impact === 'serious' || v.impact === 'critical')
               .map(v => v.id + ' ' + v.nodes[0].target.join(' ')))"""
    )


def sign_in(page, live_server, employee, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_label("E-mail address").fill(employee.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/")


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
    thread.messages.update(sender_proof=SenderProof.NONE)  # typed in the form: not verified
    arrivals.thread_receive(
        thread=thread,
        incoming=CustomerMessage(
            text="Mon mari est en copie.",
            source=Source.EMAIL,
            cc="tom.doe-longname@example.org, mia@example.net",
        ),
    )
    sign_in(page, live_server, bob, width)
    page.goto(f"{live_server.url}/desk/threads/{thread.pk}/")
    assert page.get_by_text("Sender not verified").count() == 1

    cc = page.get_by_role("textbox", name="Cc", exact=True)
    assert cc.input_value() == "tom.doe-longname@example.org, mia@example.net"
    signature = page.locator(".reply-signature")
    assert "Signature added:" in signature.inner_text()
    assert "Service client" in signature.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.locator("#reply-form").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"desk-reply-cc-signature-{width}.png")
    page.locator("#messages-top, .customer-head").first.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"desk-sender-not-verified-{width}.png")
    assert serious_violations(page) == []

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


@pytest.mark.parametrize("width", [390, 1366])
def test_the_signature_page_has_a_field_per_language(live_server, page, bob, screenshot_dir, width):
    sign_in(page, live_server, bob, width)
    page.goto(f"{live_server.url}/desk/preferences/")
    page.get_by_role("link", name="My signature").click()
    page.get_by_role("textbox", name="Français").fill("{employee_first_name}\nService client")
    page.get_by_role("textbox", name="English").fill("{employee_first_name}\nCustomer service")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your signature is saved.").wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.screenshot(path=screenshot_dir / f"desk-signature-page-{width}.png", full_page=True)
    assert serious_violations(page) == []
    bob.refresh_from_db()
    assert bob.signature == {
        "fr": "{employee_first_name}\nService client",
        "en": "{employee_first_name}\nCustomer service",
    }
