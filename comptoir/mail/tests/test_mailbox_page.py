"""The mailbox settings page: administrators only, a sealed password, refused contradictions."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from comptoir.lib.secretbox import seal, unseal
from comptoir.mail import services
from comptoir.mail.forms import FLAGS
from comptoir.mail.models import InboundMail, Mailbox
from comptoir.testing import logged_in_client

pytestmark = pytest.mark.django_db

SECRET = "s3cret-Passw0rd!"


def form_data(**overrides):
    data = {
        "host": "mail.example.com",
        "port": "",
        "username": "shop@example.com",
        "password": "",
        "folder": "INBOX",
        "validate_cert": "on",
        "create_threads": "on",
        "ca_file": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def edit_url():
    """The first mailbox's page, or the page that adds one."""
    first = Mailbox.objects.order_by("pk").first()
    return reverse("mail:mailbox_edit", args=[first.pk]) if first else reverse("mail:mailbox_new")


def save(client, **overrides):
    return client.post(edit_url(), form_data(**overrides))


def first_url(name):
    return reverse(name, args=[Mailbox.objects.order_by("pk").values_list("pk", flat=True)[0]])


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("mail:mailbox"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))


def test_agents_get_403(bob):
    client = logged_in_client(bob)

    assert client.get(reverse("mail:mailbox")).status_code == 403
    assert client.get(reverse("mail:mailbox_new")).status_code == 403
    assert client.post(reverse("mail:mailbox_sync", args=[1])).status_code == 403
    assert client.post(reverse("mail:mailbox_test", args=[1])).status_code == 403


def test_administrators_see_the_settings_with_the_flags_real_meaning(charlie):
    response = logged_in_client(charlie).get(reverse("mail:mailbox_new"))

    assert response.status_code == 200
    html = response.content.decode()
    for label in ("IMAP URL", "IMAP port", "IMAP user", "IMAP password", "Delete messages"):
        assert label in html
    for flag in ("/pop3", "/norsh", "/ssl", "/validate-cert", "/novalidate-cert", "/tls", "/notls"):
        assert flag in html
    assert "Turns encryption ON" in html


def test_the_password_is_sealed_and_never_shown(charlie):
    client = logged_in_client(charlie)

    response = save(client, password=SECRET)

    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert SECRET not in mailbox.password_sealed
    assert unseal(mailbox.password_sealed, secret_key=settings.SECRET_KEY) == SECRET
    page = client.get(edit_url()).content.decode()
    assert SECRET not in page
    assert mailbox.password_sealed not in page
    assert "A password is saved." in page


def test_an_empty_password_keeps_the_current_one_while_the_server_stays_the_same(charlie):
    client = logged_in_client(charlie)
    save(client, password=SECRET)

    response = save(
        client, password="", folder="Support", delete_messages="on", host="MAIL.example.com "
    )

    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert (mailbox.folder, mailbox.delete_messages) == ("Support", True)
    assert unseal(mailbox.password_sealed, secret_key=settings.SECRET_KEY) == SECRET


def test_the_default_port_typed_out_is_the_same_server(charlie):
    client = logged_in_client(charlie)
    save(client, password=SECRET)

    assert save(client, password="", port="143").status_code == 302


RETYPE = "Type the password again: the server, port, user or encryption changed"


@pytest.mark.parametrize(
    "change",
    [
        {"host": "imap.elsewhere.example"},
        {"port": "2143"},
        {"username": "someone@example.com"},
        {"use_ssl": "on"},
        {"use_tls": "on"},
        {"no_tls": "on"},
        {"use_pop3": "on"},
        {"validate_cert": None, "novalidate_cert": "on"},
    ],
)
def test_changing_where_the_password_goes_requires_the_password_again(charlie, change):
    client = logged_in_client(charlie)
    save(client, password=SECRET)
    before = Mailbox.objects.values().get()

    response = save(client, password="", **change)

    assert response.status_code == 400
    assert RETYPE in response.content.decode()
    assert Mailbox.objects.values().get() == before


def test_changing_the_server_with_its_password_typed_is_saved(charlie):
    client = logged_in_client(charlie)
    save(client, password=SECRET)

    response = save(client, password="other-secret", host="imap.elsewhere.example")

    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert mailbox.host == "imap.elsewhere.example"
    assert unseal(mailbox.password_sealed, secret_key=settings.SECRET_KEY) == "other-secret"


def test_changing_the_server_while_clearing_the_password_is_saved(charlie):
    client = logged_in_client(charlie)
    save(client, password=SECRET)

    response = save(client, host="imap.elsewhere.example", clear_password="on")

    assert response.status_code == 302
    assert Mailbox.objects.get().password_sealed == ""


def test_the_service_refuses_to_send_the_saved_password_elsewhere_too(charlie):
    client = logged_in_client(charlie)
    save(client, password=SECRET)
    mailbox = Mailbox.objects.get()
    values = {
        "host": "imap.elsewhere.example",
        "port": None,
        "username": mailbox.username,
        "password": "",
        "clear_password": False,
        "folder": "INBOX",
        "delete_messages": False,
        "create_threads": True,
        "ca_file": "",
    } | {flag: getattr(mailbox, flag) for flag in FLAGS}

    with pytest.raises(services.MailboxSettingsError, match=RETYPE):
        services.mailbox_update(mailbox=mailbox, **values)

    assert Mailbox.objects.get().host == "mail.example.com"


def test_the_page_says_when_notls_sends_the_password_unencrypted(charlie):
    client = logged_in_client(charlie)
    save(client, password=SECRET)
    page = client.get(edit_url()).content.decode()
    assert "/notls is ticked" not in page

    save(client, password=SECRET, no_tls="on")

    page = client.get(edit_url()).content.decode()
    assert (
        "/notls is ticked: the password and the messages travel unencrypted to "
        "mail.example.com:143."
    ) in page


def test_the_password_can_be_cleared(charlie):
    client = logged_in_client(charlie)
    save(client, password=SECRET)

    save(client, clear_password="on")

    assert Mailbox.objects.get().password_sealed == ""


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"use_ssl": "on", "no_tls": "on"}, "/ssl and /notls contradict each other"),
        ({"use_ssl": "on", "use_tls": "on"}, "/ssl and /tls cannot be combined"),
        ({"use_tls": "on", "no_tls": "on"}, "/tls and /notls contradict each other"),
        ({"novalidate_cert": "on"}, "/validate-cert and /novalidate-cert contradict each other"),
    ],
)
def test_contradictory_flags_are_refused(charlie, flags, message):
    response = save(logged_in_client(charlie), password=SECRET, **flags)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Mailbox.objects.exists()


def test_novalidate_cert_alone_is_accepted(charlie):
    response = save(logged_in_client(charlie), validate_cert=None, novalidate_cert="on")

    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert (mailbox.validate_cert, mailbox.novalidate_cert) == (False, True)


def test_a_missing_ca_file_is_refused(charlie, tmp_path):
    response = save(logged_in_client(charlie), ca_file=str(tmp_path / "nope.pem"))

    assert response.status_code == 400
    assert "This file does not exist or cannot be read." in response.content.decode()


def test_a_ca_file_that_is_not_pem_is_refused(charlie, tmp_path):
    path = tmp_path / "ca.pem"
    path.write_text("not a certificate")

    response = save(logged_in_client(charlie), ca_file=str(path))

    assert response.status_code == 400
    assert "not a PEM certificate file" in response.content.decode()


def test_a_host_with_a_url_or_options_is_refused(charlie):
    response = save(logged_in_client(charlie), host="{mail.example.com:993/imap/ssl}")

    assert response.status_code == 400


def test_run_sync_only_queues_a_sync(charlie):
    client = logged_in_client(charlie)
    save(client, password=SECRET, host="127.0.0.1", port="1")

    response = client.post(first_url("mail:mailbox_sync"))

    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert mailbox.sync_requested_at is not None
    assert mailbox.last_sync_at is None
    assert not InboundMail.objects.exists()
    page = client.get(edit_url()).content.decode()
    assert "A sync is queued" in page


def test_run_sync_without_settings_says_what_is_missing(charlie):
    client = logged_in_client(charlie)
    save(client)

    response = client.post(first_url("mail:mailbox_sync"), follow=True)

    assert "Save the server, user and password before running a sync." in response.content.decode()
    assert Mailbox.objects.get().sync_requested_at is None


def test_the_page_shows_the_last_sync_and_its_error(charlie):
    Mailbox.objects.create(
        host="mail.example.com",
        username="shop",
        password_sealed=seal("x", secret_key=settings.SECRET_KEY),
        last_sync_ok=False,
        last_error="Login failed for user shop: [AUTHENTICATIONFAILED]",
        last_sync_counts={"fetched": 3, "duplicates": 1, "deleted": 0},
        consecutive_failures=2,
    )

    html = logged_in_client(charlie).get(edit_url()).content.decode()

    assert "Login failed for user shop" in html
    assert "3 fetched, 1 already stored, 0 deleted from the server" in html
    assert "2 failures in a row" in html


@pytest.mark.dovecot
def test_test_connection_reports_success_against_dovecot(charlie, dovecot):
    client = logged_in_client(charlie)
    save(
        client,
        host=dovecot.host,
        port=str(dovecot.imap),
        username="alice",
        password="alicepw",
        ca_file=dovecot.cafile,
    )

    response = client.post(first_url("mail:mailbox_test"), follow=True)

    html = response.content.decode()
    assert "Connection successful" in html
    assert "encrypted (TLS)" in html


@pytest.mark.dovecot
def test_test_connection_reports_a_wrong_password(charlie, dovecot):
    client = logged_in_client(charlie)
    save(
        client,
        host=dovecot.host,
        port=str(dovecot.imaps),
        use_ssl="on",
        username="alice",
        password="wrong",
        ca_file=dovecot.cafile,
    )

    response = client.post(first_url("mail:mailbox_test"), follow=True)

    assert "Login failed for user alice" in response.content.decode()


@pytest.mark.dovecot
def test_the_saved_password_never_reaches_another_server(charlie, dovecot, dovecot_plain):
    """The review's attack: the host (here the port) pointed at another server, the password
    field left empty, then Test connection. The other server must hear no login."""
    client = logged_in_client(charlie)
    save(
        client,
        host=dovecot.host,
        port=str(dovecot.imap),
        username="alice",
        password="alicepw",
        ca_file=dovecot.cafile,
    )
    mark = dovecot_plain.log_mark()

    response = save(
        client,
        host=dovecot_plain.host,
        port=str(dovecot_plain.imap),
        username="alice",
        password="",
        no_tls="on",
        ca_file="",
    )
    tested = client.post(first_url("mail:mailbox_test"), follow=True).content.decode()

    assert response.status_code == 400
    assert RETYPE in response.content.decode()
    assert "Connection successful" in tested
    assert f"{dovecot.host}:{dovecot.imap}, encrypted (TLS)" in tested
    assert dovecot_plain.sessions_since(mark, count=1) == []
