"""In Chromium, on a phone (390 px) and a laptop (1366 px): a message too large to fetch is shown
on the mailbox page and the Unmatched mail page — which one, how big, and why."""

import pytest

from comptoir.mail.inbound import inbound_keep_on_server
from comptoir.mail.models import Mailbox
from comptoir.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

HEAD = (
    b"From: Zoe Martin <zoe@example.com>\r\nSubject: The video of the broken parcel\r\n"
    b"Message-ID: <big@example.com>\r\n"
)


@pytest.mark.parametrize("width", [390, 1366])
def test_a_message_too_large_to_fetch_is_shown_with_its_size_and_why(
    live_server, page, charlie, screenshot_dir, width
):
    mailbox = Mailbox.objects.create(host="imap.shop.test", username="shop")
    inbound_keep_on_server(mailbox=mailbox, key="imap:big:1", size=300 * 2**20, head=HEAD)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_label("E-mail address").fill(charlie.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/desk/mailbox/{mailbox.pk}/")
    page.get_by_text("1 message is too large to fetch").wait_for()
    assert page.get_by_text("The video of the broken parcel").count() == 1
    page.screenshot(path=screenshot_dir / f"mailbox-too-large-{width}.png", full_page=True)

    page.goto(f"{live_server.url}/desk/unmatched-mail/")
    page.get_by_text("Too large: 300.0\xa0MB, over the 256.0\xa0MB limit.", exact=False).wait_for()
    page.screenshot(path=screenshot_dir / f"unmatched-too-large-{width}.png", full_page=True)
