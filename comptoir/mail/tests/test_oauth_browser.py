"""OAuth2 mailboxes end to end (issue 21): in Chromium, an administrator connects a mailbox at a
real authorisation server on loopback (authlib, ``oauth_server.py``), consents and comes back;
the worker then fetches from a real Dovecot whose ``passdb oauth2`` asks that server's
introspection endpoint about the token; the access token expires and is refreshed; the grant is
revoked, the page says so, the administrators get an e-mail, and "Reconnect" mends it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from comptoir.lib.secretbox import unseal
from comptoir.mail.fetch import mailbox_sync, mailboxes_sync_due
from comptoir.mail.models import AuthMethod, InboundMail, Mailbox
from comptoir.testing import PASSWORD
from comptoir.threads.models import OutboundEmail

pytestmark = [pytest.mark.browser, pytest.mark.dovecot, pytest.mark.django_db(transaction=True)]

CLIENT_ID = "comptoir-test"
CLIENT_SECRET = "test-client-secret-42"


def message(n: int) -> bytes:
    return (
        f"From: Alice Doe <alice@example.com>\r\nTo: support@shop.test\r\n"
        f"Subject: OAuth question {n}\r\nMessage-ID: <oauth-{n}@example.com>\r\n"
        f"Date: Tue, 4 Mar 2025 10:21:00 +0100\r\n\r\nHello {n}.\r\n"
    ).encode()


def log_in(page, base: str) -> None:
    page.goto(f"{base}/desk/login/")
    page.get_by_label("E-mail address").fill("charlie@shop.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Customer Service", exact=True).wait_for()


@pytest.mark.parametrize("width", [1366, 390])
def test_connect_consent_fetch_refresh_revoke_and_reconnect(
    live_server, page, settings, charlie, oauth_server, dovecot_oauth, screenshot_dir, width
):
    settings.COMPTOIR_SITE_URL = live_server.url
    redirect_uri = f"{live_server.url}/desk/mailbox/oauth/callback/"
    oauth_server.register(CLIENT_ID, CLIENT_SECRET, redirect_uri)
    dovecot_oauth.empty(user="alice")
    dovecot_oauth.append(message(1), user="alice")
    page.set_viewport_size({"width": width, "height": 900})

    def shot(name: str) -> None:
        page.screenshot(path=screenshot_dir / f"oauth-{name}-{width}.png", full_page=True)

    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/desk/mailbox/new/")
    page.get_by_label("Name", exact=True).fill("Support")
    page.get_by_label("E-mail address").fill("support@shop.test")
    page.get_by_label("IMAP URL").fill(dovecot_oauth.host)
    page.get_by_label("IMAP port").fill(str(dovecot_oauth.imap))
    page.get_by_label("IMAP user").fill("alice")
    page.get_by_label("CA file").fill(dovecot_oauth.cafile)
    page.get_by_label("OAuth client ID").fill(CLIENT_ID)
    page.get_by_label("OAuth client secret").fill(CLIENT_SECRET)
    page.get_by_label("Authorisation address").fill(f"{oauth_server.url}/authorize")
    page.get_by_label("Token address").fill(f"{oauth_server.url}/token")
    page.get_by_label("Scopes").fill("mail")
    shot("settings")
    page.get_by_role("button", name="Connect with the other provider").click()

    # The provider's consent page, on the loopback server.
    page.get_by_role("heading", name="Test OAuth2 provider").wait_for()
    assert page.url.startswith(f"{oauth_server.url}/authorize?")
    assert "code_challenge_method=S256" in page.url
    assert page.get_by_label("Account").input_value() == "alice"  # the login hint
    shot("consent")
    page.get_by_role("button", name="Allow").click()

    page.get_by_text("Connected: comptoir can now read and send the mail of alice.").wait_for()
    shot("connected")
    mailbox = Mailbox.objects.get()
    assert mailbox.auth_method == AuthMethod.OAUTH2
    refresh = unseal(mailbox.oauth_refresh_token_sealed, secret_key=settings.SECRET_KEY)
    assert refresh
    assert refresh not in page.content()
    assert CLIENT_SECRET not in page.content()

    # "Test connection" reports each step, the login made with XOAUTH2.
    page.get_by_role("button", name="Test connection").click()
    page.get_by_text("Logged in as alice (XOAUTH2).").wait_for()
    shot("test-connection")

    # Fetch with XOAUTH2: Dovecot asked the server's introspection endpoint.
    mark = dovecot_oauth.log_mark()
    report = mailbox_sync(mailbox, worker_name="w1")
    assert report.ok, report.error
    assert report.fetched == 1
    assert "method=XOAUTH2" in dovecot_oauth.log[mark:]

    # The access token expires at the server (and here): a new one is fetched first.
    oauth_server.expire("alice")
    old_access = Mailbox.objects.get().oauth_access_token_sealed
    Mailbox.objects.filter(pk=mailbox.pk).update(oauth_expires_at=timezone.now())
    dovecot_oauth.append(message(2), user="alice")
    report = mailbox_sync(Mailbox.objects.get(), worker_name="w1")
    assert report.ok, report.error
    assert report.fetched == 1
    assert Mailbox.objects.get().oauth_access_token_sealed != old_access

    # An access token cut short at the server while we think it valid: refreshed on refusal.
    oauth_server.expire("alice")
    dovecot_oauth.append(message(3), user="alice")
    report = mailbox_sync(Mailbox.objects.get(), worker_name="w1")
    assert report.ok, report.error
    assert report.fetched == 1

    # The grant is revoked at the provider: only this mailbox stops, with a clear message.
    oauth_server.revoke("alice")
    dovecot_oauth.append(message(4), user="alice")
    report = mailbox_sync(Mailbox.objects.get(), worker_name="w1")
    assert not report.ok
    assert "revoked or has expired" in report.error
    assert InboundMail.objects.count() == 3
    told = OutboundEmail.objects.get(to_email="charlie@shop.test")
    assert "must be reconnected" in told.subject
    assert mailboxes_sync_due(worker_name="w1") == []  # it waits for Reconnect
    page.goto(f"{live_server.url}/desk/mailbox/")
    page.get_by_text("Reconnect needed").wait_for()
    shot("list-reconnect")
    page.goto(f"{live_server.url}/desk/mailbox/{mailbox.pk}/")
    page.get_by_role("alert").get_by_text("revoked or has expired").wait_for()
    shot("revoked")

    # Reconnect: consent again, and the mailbox is fetched again.
    page.get_by_role("button", name="Reconnect").click()
    page.get_by_role("button", name="Allow").click()
    page.get_by_text("Connected: comptoir can now read and send the mail of alice.").wait_for()
    assert Mailbox.objects.get().oauth_error == ""
    (report,) = mailboxes_sync_due(worker_name="w1")
    assert report.ok, report.error
    assert report.fetched == 1
    assert OutboundEmail.objects.filter(to_email="charlie@shop.test").count() == 1
