"""Replies sent with SMTP XOAUTH2 (issue 21), against aiosmtpd whose authenticator asks the
loopback authorisation server's introspection endpoint about the token."""

from __future__ import annotations

import base64
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.conf import settings

from comptoir.lib.secretbox import seal
from comptoir.mail.models import AuthMethod, Mailbox, OAuthProvider, SmtpSecurity
from comptoir.mail.outbox import outbox_deliver
from comptoir.mail.tests.oauth_server import STORE, Token, new_token
from comptoir.testing import SmtpSink, free_port, make_thread
from comptoir.threads import services as thread_services
from comptoir.threads.defaults import default_contacts_ensure
from comptoir.threads.models import Contact, EmailStatus, OutboundEmail

pytestmark = pytest.mark.django_db

CLIENT_ID = "comptoir-smtp"
CLIENT_SECRET = "smtp-client-secret"


class OAuthSink(SmtpSink):
    """Accepts mail only after an XOAUTH2 login whose token the server says is active."""

    def __init__(self, oauth_server) -> None:
        super().__init__()
        self.oauth_server = oauth_server
        self.logins: list[tuple[str, bool]] = []

    async def auth_XOAUTH2(self, server, args):
        raw = base64.b64decode(args[1]).decode()
        fields = dict(part.split("=", 1) for part in raw.split("\x01") if "=" in part)
        user, token = fields.get("user", ""), fields.get("auth", "").removeprefix("Bearer ")
        answer = self.oauth_server.introspect(token)
        ok = bool(answer.get("active")) and answer.get("username") == user
        self.logins.append((user, ok))
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def oauth_smtp(oauth_server):
    sink = OAuthSink(oauth_server)
    sink.port = free_port()
    controller = Controller(
        sink,
        hostname=sink.host,
        port=sink.port,
        auth_required=True,
        auth_require_tls=False,
        auth_exclude_mechanism=["LOGIN", "PLAIN"],
    )
    controller.start()
    yield sink
    controller.stop()


def oauth_mailbox(oauth_server, sink, *, refresh: str) -> Mailbox:
    oauth_server.register(CLIENT_ID, CLIENT_SECRET, "http://127.0.0.1/unused")
    return Mailbox.objects.create(
        name="Support",
        email_address="support@shop.test",
        username="alice",
        host="127.0.0.1",
        auth_method=AuthMethod.OAUTH2,
        oauth_provider=OAuthProvider.GENERIC,
        oauth_client_id=CLIENT_ID,
        oauth_client_secret_sealed=seal(CLIENT_SECRET, secret_key=settings.SECRET_KEY),
        oauth_authorize_url=f"{oauth_server.url}/authorize",
        oauth_token_url=f"{oauth_server.url}/token",
        oauth_refresh_token_sealed=seal(refresh, secret_key=settings.SECRET_KEY),
        smtp_host=sink.host,
        smtp_port=sink.port,
        smtp_security=SmtpSecurity.NONE,
    )


def granted(user: str) -> str:
    """A grant the server knows (as after a consent), its access token already expired."""
    refresh = new_token()
    STORE.tokens.append(Token(CLIENT_ID, user, "mail", new_token(), refresh, time.time() - 1))
    return refresh


def reply_from_support(bob) -> OutboundEmail:
    default_contacts_ensure()
    contact = Contact.objects.get(name__en="Customer service")
    Contact.objects.filter(pk=contact.pk).update(email="support@shop.test")
    thread = make_thread(contact=Contact.objects.get(pk=contact.pk))
    thread_services.thread_reply(thread=thread, employee=bob, text="It left today.")
    return OutboundEmail.objects.get(thread=thread)


def test_a_reply_is_sent_with_smtp_xoauth2_after_refreshing_the_access_token(
    bob, oauth_server, oauth_smtp
):
    oauth_mailbox(oauth_server, oauth_smtp, refresh=granted("alice"))
    email = reply_from_support(bob)

    report = outbox_deliver()

    assert report.sent == 1
    assert oauth_smtp.logins == [("alice", True)]
    (received,) = oauth_smtp.parsed()
    assert received["From"].addresses[0].addr_spec == "support@shop.test"
    email.refresh_from_db()
    assert email.sent_via == f"{oauth_smtp.host}:{oauth_smtp.port}"
    assert Mailbox.objects.get().oauth_access_token_sealed


def test_a_revoked_grant_keeps_the_reply_queued_and_stops_only_that_mailbox(
    bob, charlie, oauth_server, oauth_smtp
):
    oauth_mailbox(oauth_server, oauth_smtp, refresh=granted("bob"))
    oauth_server.revoke("bob")
    email = reply_from_support(bob)

    report = outbox_deliver()

    assert report.retried == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED
    assert "revoked or has expired" in email.last_error
    assert oauth_smtp.messages == []
    assert "press Reconnect" in Mailbox.objects.get().oauth_error
    assert OutboundEmail.objects.filter(to_email="charlie@shop.test").count() == 1
