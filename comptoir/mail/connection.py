"""How to reach a mailbox: its flags read into a connection plan (pure), and failures told in
sentences an administrator can act on.

Flags (REFERENCE B6): /ssl = implicit TLS, /tls = STARTTLS required, /notls = never STARTTLS,
default = STARTTLS, and no login when the server does not offer it (the password is sent
unencrypted only when /notls was chosen); the certificate is verified unless /novalidate-cert;
/norsh is accepted and ignored. A contradictory combination is refused by the form
(``mailbox_check_flags``); should one reach the database anyway, ``mailbox_connect_settings``
resolves it towards security: /ssl wins over /tls and /notls, /validate-cert over
/novalidate-cert.
"""

from __future__ import annotations

import enum
import imaplib
import poplib
import socket
import ssl
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.mail.models import Mailbox


class MailProtocol(enum.StrEnum):
    IMAP = "imap"
    POP3 = "pop3"


class TlsMode(enum.StrEnum):
    IMPLICIT = "implicit"  # /ssl: TLS from the first byte (IMAPS, POP3S)
    STARTTLS_REQUIRED = "starttls-required"  # /tls
    NEVER = "never"  # /notls
    STARTTLS = "starttls"  # default: STARTTLS; not offered, no login (says "tick /notls")


DEFAULT_PORTS = {
    (MailProtocol.IMAP, False): 143,
    (MailProtocol.IMAP, True): 993,
    (MailProtocol.POP3, False): 110,
    (MailProtocol.POP3, True): 995,
}


@dataclass(frozen=True)
class ConnectionPlan:
    """How to reach a mailbox: pure data computed from its settings."""

    protocol: MailProtocol
    host: str
    port: int
    tls: TlsMode
    verify_cert: bool
    ca_file: str = ""

    def ssl_context(self) -> ssl.SSLContext:
        """Always an explicit context: imaplib and poplib do not verify anything without one."""
        context = ssl.create_default_context(cafile=self.ca_file or None)
        if not self.verify_cert:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


def mailbox_connect_settings(mailbox: Mailbox) -> ConnectionPlan:
    """The connection plan for a mailbox (pure; /norsh is ignored: no rsh exists here)."""
    protocol = MailProtocol.POP3 if mailbox.use_pop3 else MailProtocol.IMAP
    if mailbox.use_ssl:
        tls = TlsMode.IMPLICIT
    elif mailbox.no_tls:
        tls = TlsMode.NEVER
    elif mailbox.use_tls:
        tls = TlsMode.STARTTLS_REQUIRED
    else:
        tls = TlsMode.STARTTLS
    return ConnectionPlan(
        protocol=protocol,
        host=mailbox.host.strip(),
        port=mailbox.port or DEFAULT_PORTS[(protocol, tls is TlsMode.IMPLICIT)],
        tls=tls,
        verify_cert=mailbox.validate_cert or not mailbox.novalidate_cert,
        ca_file=mailbox.ca_file.strip(),
    )


PASSWORD_RETYPE = gettext_lazy(
    "Type the password again: the server, port, user or encryption changed, and the saved "
    "password is only sent to the server it was saved for."
)


def mailbox_destination(mailbox: Mailbox) -> tuple[ConnectionPlan, str]:
    """Where the mailbox's password goes: the server, port, protocol, encryption and certificate
    check, and the user name. The saved password is only ever sent to the destination it was
    saved for (``mailbox_password_must_be_typed``)."""
    plan = mailbox_connect_settings(mailbox)
    return replace(plan, host=plan.host.lower()), mailbox.username.strip()


def mailbox_password_must_be_typed(*, saved: Mailbox, changed: Mailbox) -> bool:
    """True when ``changed`` would send ``saved``'s password somewhere else (another host, port,
    user, protocol or TLS mode): the password must then be typed again."""
    return bool(saved.password_sealed) and (
        mailbox_destination(saved) != mailbox_destination(changed)
    )


def mailbox_check_flags(
    *,
    use_ssl: bool,
    use_tls: bool,
    no_tls: bool,
    validate_cert: bool,
    novalidate_cert: bool,
) -> list[str]:
    """Why a combination of flags is refused (empty when it is fine).

    /ssl with /tls is refused too rather than silently resolved: /ssl already encrypts from the
    first byte, /tls asks for STARTTLS on a plain port; one of them is a mistake.
    """
    errors = []
    if use_ssl and no_tls:
        errors.append(
            _(
                "/ssl and /notls contradict each other: /ssl turns encryption on "
                "(implicit TLS), /notls never encrypts."
            )
        )
    if use_ssl and use_tls:
        errors.append(
            _(
                "/ssl and /tls cannot be combined: /ssl is TLS from the first byte "
                "(ports 993/995), /tls is STARTTLS on a plain port (143/110). Choose one."
            )
        )
    if use_tls and no_tls:
        errors.append(
            _("/tls and /notls contradict each other: /tls requires STARTTLS, /notls forbids it.")
        )
    if validate_cert and novalidate_cert:
        errors.append(
            _(
                "/validate-cert and /novalidate-cert contradict each other: "
                "untick /validate-cert to skip the certificate check."
            )
        )
    return errors


class FetchError(Exception):
    """A connection, TLS, login or protocol failure, with a message an administrator can act on."""


class LoginFailed(FetchError):
    """The server refused the user name and password (or the access token)."""


def failure_describe(exc: BaseException, plan: ConnectionPlan) -> str:
    where = f"{plan.host}:{plan.port}"
    if isinstance(exc, FetchError):
        return str(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _("Certificate verification failed: %(reason)s") % {
            "reason": exc.verify_message or exc.reason or str(exc)
        }
    if isinstance(exc, ssl.SSLError):
        return _("TLS error with %(where)s: %(reason)s") % {
            "where": where,
            "reason": exc.reason or str(exc),
        }
    if isinstance(exc, ConnectionRefusedError):
        return _("Connection refused by %(where)s") % {"where": where}
    if isinstance(exc, socket.gaierror):
        return _("Unknown host: %(host)s") % {"host": plan.host}
    if isinstance(exc, TimeoutError):
        return _("Connection to %(where)s timed out") % {"where": where}
    if isinstance(exc, imaplib.IMAP4.error | poplib.error_proto):
        return _("The server answered with an error: %(reason)s") % {"reason": server_text(exc)}
    if isinstance(exc, OSError | EOFError):
        return _("Network error with %(where)s: %(reason)s") % {"where": where, "reason": exc}
    return _("Unexpected error: %(reason)s") % {"reason": repr(exc)}


def server_text(value: object) -> str:
    if isinstance(value, BaseException) and value.args:
        value = value.args[0]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
