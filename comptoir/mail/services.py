"""Changes to the shop's mailboxes. Syncing itself is the worker's job (``fetch``)."""

from __future__ import annotations

import copy

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from comptoir.lib.secretbox import seal
from comptoir.mail.connection import (
    PASSWORD_RETYPE,
    mailbox_check_flags,
    mailbox_destination,
    mailbox_password_must_be_typed,
)
from comptoir.mail.models import AuthMethod, Mailbox, OAuthProvider, SmtpSecurity
from comptoir.threads.models import Contact

SMTP_PASSWORD_RETYPE = gettext_lazy(
    "Type the SMTP password again: the SMTP server, port, encryption or user changed, and the "
    "saved password is only sent to the server it was saved for."
)


class MailboxSettingsError(Exception):
    """Settings that cannot be saved (contradictory flags); the message is for people."""


def mailbox_get() -> Mailbox:
    """The shop's first mailbox, or a new unsaved one with the defaults."""
    return Mailbox.objects.order_by("pk").first() or Mailbox()


def mailboxes_list() -> list[Mailbox]:
    """Every mailbox with its contact, in the order they were added (one query)."""
    return list(Mailbox.objects.select_related("contact").order_by("pk"))


def _smtp_destination(mailbox: Mailbox) -> tuple[str, int | None, str, str]:
    return (
        mailbox.smtp_host.strip().lower(),
        mailbox.smtp_port,
        mailbox.smtp_security,
        mailbox.smtp_username.strip(),
    )


def smtp_password_must_be_typed(*, saved: Mailbox, changed: Mailbox) -> bool:
    """Like the IMAP password: the saved SMTP password only goes to the server, port,
    encryption and user it was saved for."""
    return bool(saved.smtp_password_sealed) and (
        _smtp_destination(saved) != _smtp_destination(changed)
    )


def mailbox_update(
    *,
    mailbox: Mailbox,
    host: str,
    port: int | None,
    username: str,
    password: str,
    clear_password: bool,
    folder: str,
    delete_messages: bool,
    create_threads: bool,
    use_pop3: bool,
    norsh: bool,
    use_ssl: bool,
    validate_cert: bool,
    novalidate_cert: bool,
    use_tls: bool,
    no_tls: bool,
    ca_file: str,
    name: str = "",
    email_address: str = "",
    contact: Contact | None = None,
    smtp_host: str = "",
    smtp_port: int | None = None,
    smtp_security: str = SmtpSecurity.STARTTLS,
    smtp_username: str = "",
    smtp_password: str = "",
    clear_smtp_password: bool = False,
    auth_method: str = AuthMethod.PASSWORD,
    oauth_provider: str = OAuthProvider.GOOGLE,
    oauth_client_id: str = "",
    oauth_client_secret: str = "",
    oauth_authorize_url: str = "",
    oauth_token_url: str = "",
    oauth_scopes: str = "",
) -> Mailbox:
    """Save the settings. An empty ``password`` keeps the current one, only while it would go to
    the same server, port, user and encryption (else MailboxSettingsError); ``clear_password``
    removes it. The password is stored sealed. The worker tries the new settings on its next
    round."""
    errors = mailbox_check_flags(
        use_ssl=use_ssl,
        use_tls=use_tls,
        no_tls=no_tls,
        validate_cert=validate_cert,
        novalidate_cert=novalidate_cert,
    )
    if errors:
        raise MailboxSettingsError(" ".join(errors))
    with transaction.atomic():
        if mailbox.pk is not None:
            mailbox = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
        saved = copy.copy(mailbox)
        mailbox.host = host.strip()
        mailbox.port = port
        mailbox.username = username.strip()
        if clear_password:
            mailbox.password_sealed = ""
        elif password:
            mailbox.password_sealed = seal(password, secret_key=settings.SECRET_KEY)
        mailbox.folder = folder.strip() or "INBOX"
        mailbox.delete_messages = delete_messages
        mailbox.create_threads = create_threads
        mailbox.use_pop3 = use_pop3
        mailbox.norsh = norsh
        mailbox.use_ssl = use_ssl
        mailbox.validate_cert = validate_cert
        mailbox.novalidate_cert = novalidate_cert
        mailbox.use_tls = use_tls
        mailbox.no_tls = no_tls
        mailbox.ca_file = ca_file.strip()
        mailbox.name = name.strip() or mailbox.name or email_address or "Mailbox"
        mailbox.email_address = email_address.strip()
        mailbox.contact = contact
        mailbox.smtp_host = smtp_host.strip()
        mailbox.smtp_port = smtp_port
        mailbox.smtp_security = SmtpSecurity(smtp_security or SmtpSecurity.STARTTLS)
        mailbox.smtp_username = smtp_username.strip()
        if clear_smtp_password:
            mailbox.smtp_password_sealed = ""
        elif smtp_password:
            mailbox.smtp_password_sealed = seal(smtp_password, secret_key=settings.SECRET_KEY)
        elif smtp_password_must_be_typed(saved=saved, changed=mailbox):
            raise MailboxSettingsError(str(SMTP_PASSWORD_RETYPE))
        mailbox.auth_method = AuthMethod(auth_method or AuthMethod.PASSWORD)
        mailbox.oauth_provider = OAuthProvider(oauth_provider or OAuthProvider.GOOGLE)
        mailbox.oauth_client_id = oauth_client_id.strip()
        if oauth_client_secret:
            mailbox.oauth_client_secret_sealed = seal(
                oauth_client_secret, secret_key=settings.SECRET_KEY
            )
        mailbox.oauth_authorize_url = oauth_authorize_url.strip()
        mailbox.oauth_token_url = oauth_token_url.strip()
        mailbox.oauth_scopes = " ".join(oauth_scopes.split())
        if _oauth_grant_elsewhere(saved, mailbox):
            # Tokens only go to the server and provider they were granted for: connect again.
            mailbox.oauth_refresh_token_sealed = mailbox.oauth_access_token_sealed = ""
            mailbox.oauth_expires_at = None
            mailbox.oauth_error = ""
        if (
            mailbox.auth_method == AuthMethod.PASSWORD
            and not password
            and not clear_password
            and mailbox_password_must_be_typed(saved=saved, changed=mailbox)
        ):
            raise MailboxSettingsError(str(PASSWORD_RETYPE))
        # New settings deserve a prompt try, without the back-off earned by the old ones.
        mailbox.next_sync_at = timezone.now()
        mailbox.consecutive_failures = 0
        mailbox.save()
    return mailbox


def _oauth_grant_elsewhere(saved: Mailbox, changed: Mailbox) -> bool:
    """True when saved tokens would go to another server, user, provider or client."""
    if not saved.oauth_refresh_token_sealed:
        return False

    def where(box: Mailbox) -> tuple[object, ...]:
        return (
            mailbox_destination(box),
            box.oauth_provider,
            box.oauth_client_id,
            box.oauth_authorize_url,
            box.oauth_token_url,
            _smtp_destination(box),
        )

    return where(saved) != where(changed)


def mailbox_request_sync(*, mailbox: Mailbox) -> bool:
    """Queue a sync for the worker (never run inside a page request). False when the mailbox
    is not saved or not configured, so there is nothing to sync."""
    if mailbox.pk is None or not mailbox.is_configured:
        return False
    with transaction.atomic():
        now = timezone.now()
        Mailbox.objects.filter(pk=mailbox.pk).update(sync_requested_at=now)
        mailbox.sync_requested_at = now
    return True


def mailbox_delete(*, mailbox: Mailbox) -> None:
    """Remove a mailbox. Its stored messages stay (their threads too), without their mailbox."""
    Mailbox.objects.filter(pk=mailbox.pk).delete()
