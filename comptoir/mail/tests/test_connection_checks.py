""" "Test connection" (issue 21): each step of receiving and sending reported in words an
administrator can act on, against a real Dovecot and an SMTP server on loopback."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from comptoir.lib.secretbox import seal
from comptoir.mail.check import Outcome, mailbox_check
from comptoir.mail.models import Mailbox, SmtpSecurity
from comptoir.testing import SmtpServer, SmtpSink, free_port, logged_in_client

pytestmark = pytest.mark.django_db


def imap_mailbox(server, **fields) -> Mailbox:
    values = {
        "host": server.host,
        "port": server.imap,
        "username": "alice",
        "password_sealed": seal("alicepw", secret_key=settings.SECRET_KEY),
        "ca_file": server.cafile,
        "email_address": "support@shop.test",
    }
    values.update(fields)
    if "password" in values:
        values["password_sealed"] = seal(values.pop("password"), secret_key=settings.SECRET_KEY)
    return Mailbox.objects.create(**values)


def outcomes(check) -> list[tuple[str, str]]:
    return [(step.key, step.outcome) for step in check.steps]


@pytest.mark.dovecot
def test_every_step_of_a_working_mailbox_is_reported_ok(inbox):
    (receiving,) = mailbox_check(imap_mailbox(inbox))

    assert outcomes(receiving) == [
        ("connect", Outcome.OK),
        ("tls", Outcome.OK),
        ("auth", Outcome.OK),
        ("folder", Outcome.OK),
    ]
    assert "Logged in as alice (LOGIN)." in receiving.steps[2].text


@pytest.mark.dovecot
def test_a_wrong_password_fails_at_authenticate_with_what_to_check(inbox):
    (receiving,) = mailbox_check(imap_mailbox(inbox, password="wrong"))

    assert outcomes(receiving)[2:] == [("auth", Outcome.FAILED), ("folder", Outcome.SKIPPED)]
    assert outcomes(receiving)[:2] == [("connect", Outcome.OK), ("tls", Outcome.OK)]
    assert "Check the user name and password" in receiving.steps[2].text


@pytest.mark.dovecot
def test_a_missing_folder_fails_at_folder(inbox):
    (receiving,) = mailbox_check(imap_mailbox(inbox, folder="Nope"))

    assert receiving.steps[3].outcome == Outcome.FAILED
    assert "Check the folder's name" in receiving.steps[3].text


@pytest.mark.dovecot
def test_a_server_without_starttls_fails_at_tls(dovecot_plain):
    (receiving,) = mailbox_check(imap_mailbox(dovecot_plain, ca_file=""))

    assert outcomes(receiving)[:2] == [("connect", Outcome.OK), ("tls", Outcome.FAILED)]
    assert "/ssl" in receiving.steps[1].text


def test_a_closed_port_fails_at_connect_with_what_to_check(db):
    mailbox = Mailbox.objects.create(
        host="127.0.0.1",
        port=free_port(),
        username="alice",
        password_sealed=seal("x", secret_key=settings.SECRET_KEY),
    )

    (receiving,) = mailbox_check(mailbox)

    assert outcomes(receiving)[0] == ("connect", Outcome.FAILED)
    assert "Check the server's name and port" in receiving.steps[0].text
    assert {step.outcome for step in receiving.steps[1:]} == {Outcome.SKIPPED}


@pytest.fixture
def smtp_sink():
    server = SmtpServer(SmtpSink())
    server.start()
    yield server.sink
    server.stop()


@pytest.mark.dovecot
def test_sending_is_checked_up_to_the_permission_to_send_as_the_address(inbox, smtp_sink):
    mailbox = imap_mailbox(
        inbox, smtp_host=smtp_sink.host, smtp_port=smtp_sink.port, smtp_security=SmtpSecurity.NONE
    )

    _receiving, sending = mailbox_check(mailbox)

    assert outcomes(sending) == [
        ("connect", Outcome.OK),
        ("tls", Outcome.WARNING),
        ("auth", Outcome.WARNING),
        ("send", Outcome.OK),
    ]
    assert smtp_sink.messages == []  # nothing was sent


@pytest.mark.dovecot
def test_a_refused_sender_fails_at_send_permission(inbox, smtp_sink):
    smtp_sink.refuse["support@shop.test"] = "550 5.7.60 Client does not have send as permission"
    mailbox = imap_mailbox(
        inbox, smtp_host=smtp_sink.host, smtp_port=smtp_sink.port, smtp_security=SmtpSecurity.NONE
    )

    _receiving, sending = mailbox_check(mailbox)

    assert sending.steps[3].outcome == Outcome.FAILED
    assert "send as permission" in sending.steps[3].text
    assert "allow the user to send as it" in sending.steps[3].text


@pytest.mark.dovecot
def test_the_page_lists_each_step(charlie, inbox):
    mailbox = imap_mailbox(inbox, password="wrong")

    response = logged_in_client(charlie).post(reverse("mail:mailbox_test", args=[mailbox.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Encryption (TLS):</strong>\n      OK" in html
    assert "Authenticate:</strong>\n      Failed" in html
    assert "Folder:</strong>\n      Skipped" in html
