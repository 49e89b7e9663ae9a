"""In Chromium, two signed-in employees in two browser contexts on the same thread (issue 18):
each sees the other's presence, and typing; the second Send after the first is held with the
news; "Send anyway" sends once. Screenshots go to var/screenshots/ (and
$COMPTOIR_SCREENSHOTS)."""

import pytest

from comptoir.testing import PASSWORD, make_customer, make_thread
from comptoir.threads.models import Draft, EmailKind, OutboundEmail

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

POLL_WAIT = 25_000  # ms: at most two of the presence polls (threads/presence.py)


def signed_in(browser, base: str, employee, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/desk/login/")
    page.get_by_label("E-mail address").fill(employee.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/desk/")
    return context, page


def replies(thread) -> int:
    return OutboundEmail.objects.filter(thread=thread, kind=EmailKind.REPLY).count()


@pytest.mark.parametrize("width", [390, 1366])
def test_two_employees_see_each_other_and_the_second_send_is_held_then_sent_once(
    live_server, browser, bob, charlie, screenshot_dir, width
):
    alice = make_customer("Alice", email="alice@example.com")
    thread = make_thread(email="alice@example.com", customer=alice, text="Where is my parcel?")
    base = live_server.url
    bob_context, bobs = signed_in(browser, base, bob, width)
    charlie_context, charlies = signed_in(browser, base, charlie, width)
    url = f"{base}/desk/threads/{thread.pk}/"

    bobs.goto(url)
    charlies.goto(url)
    presence = charlies.locator("#presence")
    presence.get_by_text("Bob Tester is viewing").wait_for()  # drawn with the page
    bobs.locator("#presence").get_by_text("Charlie Tester is viewing").wait_for(timeout=POLL_WAIT)

    charlies.get_by_role("textbox", name="Your answer").fill("We refunded you this morning.")
    bobs.locator("#presence").get_by_text("Charlie Tester is typing…").wait_for(timeout=POLL_WAIT)
    assert Draft.objects.get(employee=charlie).text == "We refunded you this morning."
    bobs.locator("#presence").scroll_into_view_if_needed()
    bobs.screenshot(path=screenshot_dir / f"desk-presence-{width}.png")

    listing = bob_context.new_page()
    listing.goto(f"{base}/desk/")
    mark = listing.locator(f"#presence-{thread.pk}")
    mark.get_by_text("C. Tester is typing…").wait_for()
    mark.get_by_text("Draft by C. Tester").wait_for()
    mark.scroll_into_view_if_needed()
    listing.screenshot(path=screenshot_dir / f"desk-list-presence-{width}.png")
    listing.close()

    bobs.get_by_role("textbox", name="Your answer").fill("Your parcel left today.")
    bobs.wait_for_timeout(1500)  # desk.js saves the box 800 ms after the last key
    bobs.reload()  # the draft survives it (the page's ids stay those of this load)
    typed = bobs.get_by_role("textbox", name="Your answer").input_value()
    assert typed == "Your parcel left today."
    charlies.get_by_role("button", name="Send", exact=True).click()
    charlies.get_by_text("The message was successfully sent to the customer.").wait_for()
    assert replies(thread) == 1
    assert not Draft.objects.filter(employee=charlie).exists()  # cleared on send

    bobs.get_by_role("button", name="Send", exact=True).click()
    warning = bobs.get_by_role("alert").filter(has_text="your reply was not sent")
    warning.wait_for()
    warning.get_by_text("Charlie Tester replied:").wait_for()
    warning.get_by_text("We refunded you this morning.").wait_for()
    warning.get_by_text("Charlie Tester changed the status from Open to Closed.").wait_for()
    typed = bobs.get_by_role("textbox", name="Your answer").input_value()
    assert typed == "Your parcel left today."
    bobs.locator("#presence").get_by_text("Charlie Tester is viewing").wait_for()
    assert replies(thread) == 1  # nothing sent
    warning.scroll_into_view_if_needed()
    bobs.screenshot(path=screenshot_dir / f"desk-collision-{width}.png")

    bobs.get_by_role("button", name="Send anyway").click()
    bobs.get_by_text("The message was successfully sent to the customer.").wait_for()
    assert replies(thread) == 2  # exactly one more
    assert OutboundEmail.objects.filter(body_text__contains="Your parcel left today.").count() == 1
    bob_context.close()
    charlie_context.close()
