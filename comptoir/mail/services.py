"""Changes to the shop's mailbox settings. Syncing itself is the worker's job (``fetch``)."""

from __future__ import annotations

import copy

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comptoir.lib.secretbox import seal
from comptoir.mail.connection import (
    PASSWORD_RETYPE,
    mailbox_check_flags,
    mailbox_password_must_be_typed,
)
from comptoir.mail.models import Mailbox


class MailboxSettingsError(Exception):
    """Settings that cannot be saved (contradictory flags); the message is for people."""


def mailbox_get() -> Mailbox:
    """The shop's mailbox: the first one, or a new unsaved one with the defaults."""
    return Mailbox.objects.order_by("pk").first() or Mailbox()


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
        if (
            not password
            and not clear_password
            and mailbox_password_must_be_typed(saved=saved, changed=mailbox)
        ):
            raise MailboxSettingsError(str(PASSWORD_RETYPE))
        # New settings deserve a prompt try, without the back-off earned by the old ones.
        mailbox.next_sync_at = timezone.now()
        mailbox.consecutive_failures = 0
        mailbox.save()
    return mailbox


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
