"""Sending through a mailbox's own SMTP server: a reply from support@ leaves through the server
support@ belongs to (Google and Microsoft reject or flag mail sent as their domains from
elsewhere). Mail from an address no mailbox sends for goes through ``COMPTOIR_EMAIL_URL``."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend

from comptoir.lib.addresses import email_normalize
from comptoir.lib.secretbox import unseal
from comptoir.mail.models import AuthMethod, Mailbox, SmtpSecurity
from comptoir.mail.oauth import oauth_access_token

SMTP_TIMEOUT_SECONDS = 30.0
DEFAULT_SMTP_PORTS = {SmtpSecurity.STARTTLS: 587, SmtpSecurity.SSL: 465, SmtpSecurity.NONE: 25}


def smtp_port(mailbox: Mailbox) -> int:
    return mailbox.smtp_port or DEFAULT_SMTP_PORTS[SmtpSecurity(mailbox.smtp_security)]


def smtp_where(mailbox: Mailbox) -> str:
    """How the thread page names the server a reply went through."""
    return f"{mailbox.smtp_host}:{smtp_port(mailbox)}"


def smtp_routes(addresses: Iterable[str]) -> dict[str, Mailbox]:
    """The mailbox that sends for each of these From addresses (normalised), when one has an
    SMTP server of its own; the others go through the default server."""
    wanted = {email_normalize(address) for address in addresses if address}
    if not wanted:
        return {}
    routes: dict[str, Mailbox] = {}
    for mailbox in (
        Mailbox.objects.filter(email_address__in=wanted, enabled=True)
        .exclude(smtp_host="")
        .order_by("pk")
    ):
        routes.setdefault(mailbox.email_address, mailbox)
    return routes


def xoauth2_response(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (Google's and Microsoft's format)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


class MailboxSmtpBackend(EmailBackend):
    """Django's SMTP backend on a mailbox's server; with OAuth2 it authenticates with XOAUTH2
    (the access token from ``token``) instead of a password."""

    def __init__(self, mailbox: Mailbox, token: Callable[[], str] | None = None) -> None:
        security = SmtpSecurity(mailbox.smtp_security)
        self.oauth_token = token
        password = (
            "" if token else unseal(mailbox.smtp_password_sealed, secret_key=settings.SECRET_KEY)
        )
        super().__init__(
            host=mailbox.smtp_host,
            port=smtp_port(mailbox),
            username=mailbox.smtp_username or mailbox.username,
            password=password,
            use_tls=security is SmtpSecurity.STARTTLS,
            use_ssl=security is SmtpSecurity.SSL,
            timeout=SMTP_TIMEOUT_SECONDS,
            fail_silently=False,
        )
        if not token and not mailbox.smtp_username:
            self.username = ""  # no SMTP user: a relay that trusts this machine

    def open(self) -> bool | None:
        opened = super().open()
        if opened and self.oauth_token is not None and self.connection is not None:
            response = xoauth2_response(self.username, self.oauth_token())
            try:
                self.connection.ehlo_or_helo_if_needed()
                self.connection.auth("XOAUTH2", lambda challenge=None: response)
            except BaseException:
                self.close()
                raise
        return opened


def mailbox_smtp_backend(mailbox: Mailbox) -> MailboxSmtpBackend:
    """The backend that sends through this mailbox's SMTP server, with its password or, for an
    OAuth2 mailbox, its access token."""
    if mailbox.auth_method != AuthMethod.OAUTH2:
        return MailboxSmtpBackend(mailbox)
    return MailboxSmtpBackend(mailbox, token=lambda: oauth_access_token(mailbox=mailbox))
