"""The mailbox settings form (REFERENCE A11, B6, B10): PrestaShop's labels, the real meanings."""

from __future__ import annotations

import copy
import os
import re
import ssl
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.mail.connection import (
    PASSWORD_RETYPE,
    mailbox_check_flags,
    mailbox_password_must_be_typed,
)
from comptoir.mail.models import Mailbox

HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+$|^\[?[0-9A-Fa-f:.]+\]?$")
FLAGS = ("use_pop3", "norsh", "use_ssl", "validate_cert", "novalidate_cert", "use_tls", "no_tls")


def _flag(label: str, help_text: Any) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, help_text=help_text)


class MailboxForm(forms.Form):
    required_css_class = "required"

    host = forms.CharField(
        label=gettext_lazy("IMAP URL"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("The mail server's host name, for example mail.example.com."),
    )
    port = forms.IntegerField(
        label=gettext_lazy("IMAP port"),
        min_value=1,
        max_value=65535,
        required=False,
        help_text=gettext_lazy(
            "Empty: 143 for IMAP, 993 with /ssl; 110 for POP3, 995 for POP3 with /ssl."
        ),
    )
    username = forms.CharField(label=gettext_lazy("IMAP user"), max_length=255, required=False)
    password = forms.CharField(
        label=gettext_lazy("IMAP password"),
        required=False,
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "Stored encrypted and never shown. Leave empty to keep the current password."
        ),
    )
    clear_password = forms.BooleanField(label=gettext_lazy("Clear the password"), required=False)
    folder = forms.CharField(
        label=gettext_lazy("Folder"),
        max_length=255,
        required=False,
        initial="INBOX",
        help_text=gettext_lazy("The IMAP folder to read (POP3 always reads the inbox)."),
    )
    delete_messages = forms.BooleanField(
        label=gettext_lazy("Delete messages"),
        required=False,
        help_text=gettext_lazy(
            "Delete imported messages from the server — only once they are safely stored here. "
            "Off: the server is left untouched (messages are not even marked as read)."
        ),
    )
    create_threads = forms.BooleanField(
        label=gettext_lazy("Create new threads"),
        required=False,
        help_text=gettext_lazy(
            "A message that belongs to no conversation starts a new thread. Off: it waits in "
            "the unmatched mail list."
        ),
    )
    use_pop3 = _flag("/pop3", gettext_lazy("Use POP3 instead of IMAP."))
    norsh = _flag(
        "/norsh",
        gettext_lazy(
            "Accepted for compatibility and ignored: comptoir never opens rsh/ssh sessions."
        ),
    )
    use_ssl = _flag(
        "/ssl",
        gettext_lazy(
            "Turns encryption ON: TLS from the first byte (IMAPS, port 993; POP3S, port 995)."
        ),
    )
    validate_cert = _flag(
        "/validate-cert",
        gettext_lazy("Verify the server's certificate (the default, recommended)."),
    )
    novalidate_cert = _flag(
        "/novalidate-cert",
        gettext_lazy(
            "Do not verify the server's certificate (self-signed certificates). The connection "
            "is still encrypted but can be intercepted; prefer a CA file."
        ),
    )
    use_tls = _flag(
        "/tls",
        gettext_lazy(
            "Require STARTTLS on the plain port: refuse to log in if the server does not offer "
            "it. Without /tls or /notls the same holds: the password is never sent unencrypted."
        ),
    )
    no_tls = _flag(
        "/notls",
        gettext_lazy(
            "Never use STARTTLS: the password and messages travel unencrypted (unless /ssl)."
        ),
    )
    ca_file = forms.CharField(
        label=gettext_lazy("CA file"),
        max_length=500,
        required=False,
        help_text=gettext_lazy(
            "Path on the server of a PEM file with the certificate authority to trust, for a "
            "self-signed or private certificate. Empty: the system's authorities."
        ),
    )

    def __init__(self, data: Any = None, *, mailbox: Mailbox) -> None:
        initial = {name: getattr(mailbox, name) for name in ("host", "port", "username")}
        initial |= {name: getattr(mailbox, name) for name in FLAGS}
        initial |= {
            "folder": mailbox.folder,
            "delete_messages": mailbox.delete_messages,
            "create_threads": mailbox.create_threads,
            "ca_file": mailbox.ca_file,
        }
        super().__init__(data, initial=initial)
        self.mailbox = mailbox

    def clean_host(self) -> str:
        host: str = self.cleaned_data["host"].strip()
        if host and not HOST_RE.match(host):
            raise forms.ValidationError(
                _("Enter only the server's host name, for example mail.example.com.")
            )
        return host

    def clean_ca_file(self) -> str:
        path: str = self.cleaned_data["ca_file"].strip()
        if not path:
            return path
        if not os.path.isfile(path) or not os.access(path, os.R_OK):
            raise forms.ValidationError(_("This file does not exist or cannot be read."))
        try:
            ssl.create_default_context(cafile=path)
        except (ssl.SSLError, OSError, ValueError) as exc:
            raise forms.ValidationError(
                _("This file is not a PEM certificate file: %(reason)s") % {"reason": exc}
            ) from None
        return path

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for error in mailbox_check_flags(
            use_ssl=bool(cleaned.get("use_ssl")),
            use_tls=bool(cleaned.get("use_tls")),
            no_tls=bool(cleaned.get("no_tls")),
            validate_cert=bool(cleaned.get("validate_cert")),
            novalidate_cert=bool(cleaned.get("novalidate_cert")),
        ):
            self.add_error(None, error)
        if (
            "host" in cleaned
            and not cleaned.get("password")
            and not cleaned.get("clear_password")
            and mailbox_password_must_be_typed(saved=self.mailbox, changed=self._changed(cleaned))
        ):
            self.add_error("password", PASSWORD_RETYPE)
        return cleaned

    def _changed(self, cleaned: dict[str, Any]) -> Mailbox:
        """The saved mailbox with the typed destination (not saved)."""
        changed = copy.copy(self.mailbox)
        for name in ("host", "port", "username", "ca_file", *FLAGS):
            setattr(changed, name, cleaned.get(name, getattr(self.mailbox, name)))
        return changed
