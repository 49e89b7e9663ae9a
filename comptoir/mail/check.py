""" "Test connection": each step of receiving (connect, TLS, authenticate, folder) and of sending
(connect, TLS, authenticate, send permission) reported in words an administrator can act on.
Nothing is fetched, changed or sent."""

from __future__ import annotations

import enum
import imaplib
import poplib
import smtplib
import socket
import ssl
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.mail.connection import (
    FetchError,
    LoginFailed,
    MailProtocol,
    TlsMode,
    failure_describe,
    mailbox_connect_settings,
)
from comptoir.mail.models import AuthMethod, Mailbox, SmtpSecurity
from comptoir.mail.oauth import OAuthError
from comptoir.mail.sessions import FolderError, TlsMissing, session_open
from comptoir.mail.smtp import mailbox_smtp_backend, smtp_port

TIMEOUT_SECONDS = 10.0


class Outcome(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"
    SKIPPED = "skipped"


STEP_NAMES = {
    "connect": gettext_lazy("Connect"),
    "tls": gettext_lazy("Encryption (TLS)"),
    "auth": gettext_lazy("Authenticate"),
    "folder": gettext_lazy("Folder"),
    "send": gettext_lazy("Send permission"),
}


@dataclass
class Step:
    key: str
    outcome: Outcome
    text: str

    @property
    def name(self) -> str:
        return str(STEP_NAMES[self.key])


@dataclass
class Check:
    title: str
    steps: list[Step]

    @property
    def ok(self) -> bool:
        return all(step.outcome in (Outcome.OK, Outcome.WARNING) for step in self.steps)


def _failed_step(exc: BaseException) -> str:
    if isinstance(exc, FolderError):
        return "folder"
    if isinstance(exc, LoginFailed | OAuthError | smtplib.SMTPAuthenticationError):
        return "auth"
    if isinstance(exc, TlsMissing | ssl.SSLError | smtplib.SMTPNotSupportedError):
        return "tls"
    if isinstance(exc, socket.gaierror | ConnectionRefusedError | TimeoutError):
        return "connect"
    if isinstance(exc, FetchError | imaplib.IMAP4.error | poplib.error_proto):
        return "auth"
    return "connect"


def _advice(step: str, mailbox: Mailbox) -> str:
    if step == "connect":
        return _("Check the server's name and port; a firewall may block the connection.")
    if step == "tls":
        return _(
            "Check /ssl, /tls and the port (993 or 995 with /ssl); for a self-signed "
            "certificate give its CA file."
        )
    if step == "auth":
        if mailbox.auth_method == AuthMethod.OAUTH2:
            return _("Press Reconnect, and check the client ID, secret and scopes.")
        return _(
            "Check the user name and password. Microsoft 365 accepts only OAuth2; Google an "
            "app password or OAuth2."
        )
    if step == "folder":
        return _("Check the folder's name: case and accents count; INBOX always exists.")
    return _(
        "The server refuses mail from this address for this user: allow the user to send as "
        "it (Microsoft: Send As permission; Google: an alias in Gmail's settings)."
    )


def _steps(
    order: list[str],
    failed: str | None,
    exc: BaseException | None,
    mailbox: Mailbox,
    describe: str,
    done: dict[str, tuple[Outcome, str]],
) -> list[Step]:
    steps = []
    reached = True
    for key in order:
        if key == failed:
            steps.append(Step(key, Outcome.FAILED, f"{describe} {_advice(key, mailbox)}"))
            reached = False
        elif reached:
            outcome, text = done[key]
            steps.append(Step(key, outcome, text))
        else:
            steps.append(Step(key, Outcome.SKIPPED, _("Not tried.")))
    return steps


def mailbox_check_receiving(mailbox: Mailbox) -> Check:
    plan = mailbox_connect_settings(mailbox)
    where = f"{plan.host}:{plan.port}"
    protocol = "POP3" if plan.protocol is MailProtocol.POP3 else "IMAP"
    title = _("Receiving (%(protocol)s %(where)s)") % {"protocol": protocol, "where": where}
    order = ["connect", "tls", "auth"] + (["folder"] if protocol == "IMAP" else [])
    if not mailbox.is_configured and not mailbox.oauth_error:
        return Check(
            title,
            [
                Step(
                    "connect",
                    Outcome.FAILED,
                    _("The mailbox is not configured (URL, user and password)."),
                )
            ],
        )
    try:
        session, plan = session_open(mailbox, timeout=TIMEOUT_SECONDS)
    except Exception as exc:
        failed = _failed_step(exc)
        done = {
            "connect": (Outcome.OK, _("Reached %(where)s.") % {"where": where}),
            "tls": _tls_done(plan.tls),
            "auth": (Outcome.OK, ""),
        }
        steps = _steps(order, failed, exc, mailbox, failure_describe(exc, plan), done)
        return Check(title, steps)
    encrypted = session.encrypted
    mechanism = getattr(session, "mechanism", "")
    session.close()
    done = {
        "connect": (Outcome.OK, _("Reached %(where)s.") % {"where": where}),
        "tls": (Outcome.OK, _("Encrypted (TLS).")) if encrypted else _tls_done(TlsMode.NEVER),
        "auth": (
            Outcome.OK,
            _("Logged in as %(user)s (%(mechanism)s).")
            % {"user": mailbox.username, "mechanism": mechanism},
        ),
        "folder": (Outcome.OK, _("Opened %(folder)s.") % {"folder": mailbox.folder or "INBOX"}),
    }
    return Check(title, _steps(order, None, None, mailbox, "", done))


def _tls_done(tls: TlsMode) -> tuple[Outcome, str]:
    if tls is TlsMode.NEVER:
        return Outcome.WARNING, _("Not encrypted (/notls): the password travels in clear.")
    return Outcome.OK, _("Encrypted (TLS).")


def mailbox_check_sending(mailbox: Mailbox) -> Check | None:
    """None when the mailbox has no SMTP server (replies use COMPTOIR_EMAIL_URL)."""
    if not mailbox.smtp_host:
        return None
    where = f"{mailbox.smtp_host}:{smtp_port(mailbox)}"
    title = _("Sending (SMTP %(where)s)") % {"where": where}
    order = ["connect", "tls", "auth", "send"]
    security = SmtpSecurity(mailbox.smtp_security)
    tls_done = (
        _tls_done(TlsMode.NEVER)
        if security is SmtpSecurity.NONE
        else (Outcome.OK, _("Encrypted (TLS)."))
    )
    backend = mailbox_smtp_backend(mailbox)
    backend.timeout = int(TIMEOUT_SECONDS)
    sender = mailbox.email_address or settings.DEFAULT_FROM_EMAIL
    authenticated = bool(backend.username and (backend.password or backend.oauth_token))
    auth_done = (
        (Outcome.OK, _("Logged in as %(user)s.") % {"user": backend.username})
        if authenticated
        else (Outcome.WARNING, _("No SMTP user: the server must trust this machine."))
    )
    done = {
        "connect": (Outcome.OK, _("Reached %(where)s.") % {"where": where}),
        "tls": tls_done,
        "auth": auth_done,
    }
    try:
        backend.open()
        connection = backend.connection
        assert connection is not None
        connection.ehlo_or_helo_if_needed()
        code, answer = connection.mail(sender)
        if code < 300:
            code, answer = connection.rcpt(sender)
        connection.rset()
    except Exception as exc:
        backend.close()
        failed = _failed_step(exc)
        return Check(title, _steps(order, failed, exc, mailbox, _smtp_describe(exc), done))
    backend.close()
    text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
    if code >= 300:
        done["send"] = (Outcome.FAILED, f"{code} {text} {_advice('send', mailbox)}")
        return Check(title, _steps(order, None, None, mailbox, "", done))
    done["send"] = (
        Outcome.OK,
        _("The server accepts mail from %(address)s (nothing was sent).") % {"address": sender},
    )
    return Check(title, _steps(order, None, None, mailbox, "", done))


def _smtp_describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return _("The server answered %(code)s %(text)s.") % {"code": exc.smtp_code, "text": text}
    return str(exc) or type(exc).__name__


def mailbox_check(mailbox: Mailbox) -> list[Check]:
    checks = [mailbox_check_receiving(mailbox)]
    sending = mailbox_check_sending(mailbox)
    if sending is not None:
        checks.append(sending)
    return checks
