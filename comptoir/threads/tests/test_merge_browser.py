"""In Chromium, on a phone (390 px) and a laptop (1366 px): the thread page lists the customer's
other conversations; merging one asks first, then shows the merged history; the conversation
link can be renewed. Screenshots go to var/screenshots/."""

import pytest

from comptoir.testing import PASSWORD, make_customer, make_thread
from comptoir.threads import services
from comptoir.threads.models import EmailKind, OutboundEmail, Thread

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1366])
def test_an_agent_merges_a_customers_second_conversation_and_renews_the_link(
    live_server, page, bob, screenshot_dir, width
):
    alice = make_customer("Alice", email="alice@example.com")
    first = make_thread(email="alice@example.com", customer=alice, text="Where is my parcel?")
    services.thread_reply(thread=first, employee=bob, text="It left yesterday.")
    second = make_thread(
        email="alice@example.com", customer=alice, text="Refund to IBAN FR76 0000, please."
    )
    make_thread(email="alice.old@example.com", customer=alice, text="About my old order")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_label("E-mail address").fill(bob.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/desk/threads/{first.pk}/")
    panel = page.get_by_role("region", name="Other conversations of this customer")
    panel.get_by_text("Refund to IBAN FR76 0000, please.").wait_for()
    assert panel.get_by_text("alice.old@example.com").count() == 1
    panel.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"desk-other-conversations-{width}.png")

    panel.get_by_role("button", name=f"Merge #{second.pk} into this conversation").click()
    page.get_by_role("heading", name="Merge the conversations?").wait_for()
    page.screenshot(path=screenshot_dir / f"desk-merge-confirm-{width}.png")
    page.get_by_role("button", name="Merge", exact=True).click()
    page.get_by_text(f"Conversation #{second.pk} was merged into this one.").wait_for()
    assert Thread.objects.get(pk=second.pk).merged_into_id == first.pk
    assert page.get_by_text("Refund to IBAN FR76 0000, please.").count() >= 1
    page.get_by_role("button", name="Send a new link").click()
    page.get_by_text("The previous link no longer works.").wait_for()
    assert OutboundEmail.objects.filter(kind=EmailKind.LINK, thread=first).count() == 1
    page.screenshot(path=screenshot_dir / f"desk-merged-{width}.png", full_page=True)

    old_link = f"{live_server.url}/contact/t/{first.link_secret}/"
    page.goto(old_link)
    page.get_by_text("This link to a conversation does not work (any more).").wait_for()
    assert page.get_by_text("Where is my parcel?").count() == 0
    page.screenshot(path=screenshot_dir / f"contact-old-link-{width}.png")
