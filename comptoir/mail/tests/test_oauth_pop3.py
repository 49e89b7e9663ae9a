"""POP3 with XOAUTH2 against Dovecot's ``passdb oauth2`` (issue 21)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from comptoir.lib.secretbox import seal
from comptoir.mail.fetch import mailbox_sync
from comptoir.mail.models import AuthMethod, Mailbox, OAuthProvider
from comptoir.mail.tests.oauth_server import STORE, Token, new_token

pytestmark = [pytest.mark.dovecot, pytest.mark.django_db]

CLIENT_ID = "comptoir-pop3"
CLIENT_SECRET = "pop3-client-secret"


def test_pop3_fetches_with_xoauth2_after_refreshing_the_token(oauth_server, dovecot_oauth):
    oauth_server.register(CLIENT_ID, CLIENT_SECRET, "http://127.0.0.1/unused")
    refresh = new_token()
    STORE.tokens.append(Token(CLIENT_ID, "bob", "mail", new_token(), refresh, time.time() - 1))
    dovecot_oauth.empty(user="bob")
    dovecot_oauth.append(
        b"From: Zed <zed@example.com>\r\nTo: support@shop.test\r\nSubject: POP3\r\n"
        b"Message-ID: <pop3-oauth@example.com>\r\n\r\nHello.\r\n",
        user="bob",
    )
    mailbox = Mailbox.objects.create(
        host=dovecot_oauth.host,
        port=dovecot_oauth.pop3,
        use_pop3=True,
        username="bob",
        ca_file=dovecot_oauth.cafile,
        auth_method=AuthMethod.OAUTH2,
        oauth_provider=OAuthProvider.GENERIC,
        oauth_client_id=CLIENT_ID,
        oauth_client_secret_sealed=seal(CLIENT_SECRET, secret_key=settings.SECRET_KEY),
        oauth_authorize_url=f"{oauth_server.url}/authorize",
        oauth_token_url=f"{oauth_server.url}/token",
        oauth_refresh_token_sealed=seal(refresh, secret_key=settings.SECRET_KEY),
    )
    mark = dovecot_oauth.log_mark()

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.ok, report.error
    assert report.fetched == 1
    assert "pop3-login: Info: Login: user=<bob>, method=XOAUTH2" in dovecot_oauth.log[mark:]
