"""Flags → connection plan (pure): ports, TLS modes, certificate checks (REFERENCE B6)."""

from __future__ import annotations

import ssl

import pytest

from comptoir.mail.connection import (
    MailProtocol,
    TlsMode,
    mailbox_check_flags,
    mailbox_connect_settings,
)
from comptoir.mail.models import Mailbox


def plan(**fields):
    return mailbox_connect_settings(Mailbox(host=" mail.example.com ", **fields))


@pytest.mark.parametrize(
    ("fields", "protocol", "port", "tls"),
    [
        ({}, MailProtocol.IMAP, 143, TlsMode.STARTTLS),
        ({"use_ssl": True}, MailProtocol.IMAP, 993, TlsMode.IMPLICIT),
        ({"use_pop3": True}, MailProtocol.POP3, 110, TlsMode.STARTTLS),
        ({"use_pop3": True, "use_ssl": True}, MailProtocol.POP3, 995, TlsMode.IMPLICIT),
        ({"use_tls": True}, MailProtocol.IMAP, 143, TlsMode.STARTTLS_REQUIRED),
        ({"no_tls": True}, MailProtocol.IMAP, 143, TlsMode.NEVER),
        ({"port": 1143, "use_ssl": True}, MailProtocol.IMAP, 1143, TlsMode.IMPLICIT),
        ({"norsh": True}, MailProtocol.IMAP, 143, TlsMode.STARTTLS),
    ],
)
def test_the_flags_give_the_protocol_port_and_tls_mode(fields, protocol, port, tls):
    result = plan(**fields)

    assert (result.protocol, result.port, result.tls, result.host) == (
        protocol,
        port,
        tls,
        "mail.example.com",
    )


def test_ssl_wins_over_a_contradiction_that_reached_the_database():
    assert plan(use_ssl=True, no_tls=True, use_tls=True).tls is TlsMode.IMPLICIT


def test_the_certificate_is_verified_unless_novalidate_cert():
    assert plan().verify_cert
    assert not plan(validate_cert=False, novalidate_cert=True).verify_cert
    assert plan(validate_cert=True, novalidate_cert=True).verify_cert  # the safe side


def test_the_ssl_context_always_verifies_by_default():
    context = plan().ssl_context()

    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


def test_novalidate_cert_gives_a_context_that_does_not_verify():
    context = plan(validate_cert=False, novalidate_cert=True).ssl_context()

    assert context.verify_mode == ssl.CERT_NONE
    assert not context.check_hostname


def test_contradictory_flags_are_named():
    ok = {
        "use_ssl": False,
        "use_tls": False,
        "no_tls": False,
        "validate_cert": True,
        "novalidate_cert": False,
    }
    assert mailbox_check_flags(**ok) == []
    assert len(mailbox_check_flags(**ok | {"use_ssl": True, "no_tls": True})) == 1
    assert len(mailbox_check_flags(**ok | {"use_ssl": True, "use_tls": True})) == 1
    assert len(mailbox_check_flags(**ok | {"use_tls": True, "no_tls": True})) == 1
    assert len(mailbox_check_flags(**ok | {"novalidate_cert": True})) == 1
    assert len(mailbox_check_flags(**ok | {"use_ssl": True, "use_tls": True, "no_tls": True})) == 3


def test_pointing_the_mailbox_elsewhere_changes_every_key():
    from comptoir.mail.models import Mailbox
    from comptoir.mail.sessions import mailbox_location

    inbox = Mailbox(host="mail.shop.test", username="desk", folder="INBOX")
    archive = Mailbox(host="mail.shop.test", username="desk", folder="Archive")
    other = Mailbox(host="MAIL.shop.test", username="desk", folder="INBOX")
    assert mailbox_location(inbox) != mailbox_location(archive)
    assert mailbox_location(inbox) == mailbox_location(other)  # host names are case-insensitive


def test_pop3_uidls_that_differ_only_in_case_stay_two_messages():
    """Some servers' UIDLs are case-sensitive; MariaDB's default collation is not."""
    from comptoir.mail.models import Mailbox
    from comptoir.mail.sessions import Pop3Session

    class Listing:
        def uidl(self):
            return b"+OK", [b"1 GmailIdAbC", b"2 GmailIdabc"], 0

    session = object.__new__(Pop3Session)
    session.mailbox = Mailbox(pk=7, host="pop.example.com", username="desk", use_pop3=True)
    session.conn = Listing()  # type: ignore[assignment]
    keys = list(session.listing())
    assert len(keys) == 2
    assert keys[0].lower() != keys[1].lower()
