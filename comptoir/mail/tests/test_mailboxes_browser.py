"""The mailboxes pages in Chromium at a phone's width and a laptop's (screenshots kept)."""

from __future__ import annotations

import pytest

from comptoir.mail.models import AuthMethod, Mailbox, OAuthProvider
from comptoir.testing import PASSWORD
from comptoir.threads.defaults import default_contacts_ensure
from comptoir.threads.models import Contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1366])
def test_the_mailboxes_pages_fit_phones_and_desktops(
    live_server, page, charlie, screenshot_dir, width
):
    default_contacts_ensure()
    Mailbox.objects.create(
        name="Support",
        email_address="support@shop.test",
        host="imap.gmail.com",
        use_ssl=True,
        username="support@shop.test",
        contact=Contact.objects.get(name__en="Customer service"),
        auth_method=AuthMethod.OAUTH2,
        oauth_provider=OAuthProvider.GOOGLE,
        smtp_host="smtp.gmail.com",
    )
    webmaster = Mailbox.objects.create(
        name="Webmaster",
        email_address="webmaster@shop.test",
        host="mail.shop.test",
        username="webmaster",
        contact=Contact.objects.get(name__en="Webmaster"),
        last_sync_ok=False,
        last_error="Login failed for user webmaster: [AUTHENTICATIONFAILED] Authentication failed.",
    )
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_label("E-mail address").fill("charlie@shop.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Customer Service", exact=True).wait_for()

    for name, path in [
        ("list", "/desk/mailbox/"),
        ("edit", f"/desk/mailbox/{webmaster.pk}/"),
        ("new", "/desk/mailbox/new/"),
    ]:
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=screenshot_dir / f"mailboxes-{name}-{width}.png", full_page=True)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, (name, wide)
    page.goto(f"{live_server.url}/desk/mailbox/")
    assert page.get_by_role("link", name="Support").is_visible()
    assert page.get_by_text("Login failed for user webmaster").is_visible()
