"""The OAuth2 pages' bad input (issue 21): a forged or stale answer, a refused consent, plain
http addresses, tokens that would go elsewhere — clear messages, never a 500."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from comptoir.lib.secretbox import seal
from comptoir.mail.models import AuthMethod, Mailbox, OAuthProvider
from comptoir.mail.oauth import oauth_start, url_allowed
from comptoir.testing import logged_in_client

pytestmark = pytest.mark.django_db


def connected(**fields) -> Mailbox:
    values = {
        "name": "Support",
        "host": "imap.gmail.com",
        "use_ssl": True,
        "username": "support@shop.test",
        "auth_method": AuthMethod.OAUTH2,
        "oauth_provider": OAuthProvider.GOOGLE,
        "oauth_client_id": "client-1",
        "oauth_refresh_token_sealed": seal("refresh-1", secret_key=settings.SECRET_KEY),
    }
    values.update(fields)
    return Mailbox.objects.create(**values)


def test_an_answer_without_a_connection_started_here_is_refused(charlie):
    client = logged_in_client(charlie)

    response = client.get(reverse("mail:oauth_callback"), {"state": "x", "code": "y"}, follow=True)

    assert response.status_code == 200
    assert "does not match a connection started here" in response.content.decode()


def test_a_forged_state_is_refused_and_nothing_is_exchanged(charlie):
    mailbox = connected()
    client = logged_in_client(charlie)
    page = client.post(reverse("mail:oauth_connect", args=[mailbox.pk]))
    assert "accounts.google.com" in page.content.decode()

    response = client.get(
        reverse("mail:oauth_callback"), {"state": "forged", "code": "stolen"}, follow=True
    )

    assert "does not match a connection started here" in response.content.decode()
    assert Mailbox.objects.get().oauth_error == ""


def test_a_refused_consent_changes_nothing(charlie):
    mailbox = connected()
    client = logged_in_client(charlie)
    client.post(reverse("mail:oauth_connect", args=[mailbox.pk]))
    state = client.session["mail_oauth"]["state"]

    response = client.get(
        reverse("mail:oauth_callback"), {"state": state, "error": "access_denied"}, follow=True
    )

    assert "The provider did not give access (access_denied)" in response.content.decode()
    assert Mailbox.objects.get().oauth_refresh_token_sealed == mailbox.oauth_refresh_token_sealed


def test_the_consent_request_carries_pkce_state_and_the_login_hint():
    mailbox = connected()

    start = oauth_start(mailbox=mailbox)

    assert start.url.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    assert "code_challenge_method=S256" in start.url
    assert f"state={start.state}" in start.url
    assert "login_hint=support%40shop.test" in start.url
    assert start.verifier not in start.url
    assert "access_type=offline" in start.url


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://login.example.com/token", True),
        ("http://127.0.0.1:8080/token", True),
        ("http://localhost/token", True),
        ("http://login.example.com/token", False),
        ("ftp://login.example.com/token", False),
        ("javascript:alert(1)", False),
    ],
)
def test_token_addresses_are_https_or_this_machine(url, allowed):
    assert url_allowed(url) is allowed


def test_a_plain_http_provider_address_is_a_form_error(charlie):
    response = logged_in_client(charlie).post(
        reverse("mail:mailbox_new"),
        {
            "host": "imap.example.com",
            "username": "a",
            "auth_method": "oauth2",
            "oauth_provider": "generic",
            "oauth_client_id": "c",
            "oauth_authorize_url": "http://evil.example.com/authorize",
            "oauth_token_url": "http://evil.example.com/token",
            "validate_cert": "on",
            "smtp_security": "starttls",
        },
    )

    assert response.status_code == 400
    assert "starts with https://" in response.content.decode()
    assert not Mailbox.objects.exists()


def test_pointing_a_connected_mailbox_at_another_server_drops_its_tokens(charlie):
    mailbox = connected()
    client = logged_in_client(charlie)

    response = client.post(
        reverse("mail:mailbox_edit", args=[mailbox.pk]),
        {
            "name": "Support",
            "host": "imap.elsewhere.example",
            "use_ssl": "on",
            "username": "support@shop.test",
            "auth_method": "oauth2",
            "oauth_provider": "google",
            "oauth_client_id": "client-1",
            "validate_cert": "on",
            "smtp_security": "starttls",
        },
    )

    assert response.status_code == 302
    assert Mailbox.objects.get().oauth_refresh_token_sealed == ""
    page = client.get(reverse("mail:mailbox_edit", args=[mailbox.pk])).content.decode()
    assert "Not connected." in page
