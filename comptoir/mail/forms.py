"""The mailbox settings form (REFERENCE A11, B6, B10): PrestaShop's labels, the real meanings."""

from __future__ import annotations

import copy
import os
import re
import ssl
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.mail.connection import (
    PASSWORD_RETYPE,
    mailbox_check_flags,
    mailbox_password_must_be_typed,
)
from comptoir.mail.models import AuthMethod, Mailbox, OAuthProvider, SmtpSecurity
from comptoir.mail.oauth import url_allowed
from comptoir.mail.services import SMTP_PASSWORD_RETYPE, smtp_password_must_be_typed
from comptoir.threads.models import Contact

HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+$|^\[?[0-9A-Fa-f:.]+\]?$")
SMTP_DESTINATION = ("smtp_host", "smtp_port", "smtp_username")
FLAGS = ("use_pop3", "norsh", "use_ssl", "validate_cert", "novalidate_cert", "use_tls", "no_tls")


def _flag(label: str, help_text: Any) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, help_text=help_text)


if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

_KEEP_PASSWORD = gettext_lazy(
    "Stored encrypted and never shown. Leave empty to keep the current password."
)
_KEEP_SECRET = gettext_lazy(
    "Stored encrypted and never shown. Leave empty to keep the current secret."
)


def _sealed_field(label: StrOrPromise, *, keep: StrOrPromise) -> forms.CharField:
    """A password or secret that is sealed when saved: never shown back, empty keeps it."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=keep,
    )


class _ContactChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return obj.name_in(self.language) if isinstance(obj, Contact) else str(obj)

    language = "en"


class MailboxForm(forms.Form):
    required_css_class = "required"

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("How this mailbox is named on this page, for example Support."),
    )
    email_address = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        max_length=254,
        required=False,
        help_text=gettext_lazy(
            "The address customers write to. Replies sent from it go through this mailbox's "
            "SMTP server, when it has one."
        ),
    )
    contact = _ContactChoice(
        label=gettext_lazy("Contact"),
        queryset=Contact.objects.order_by("position", "id"),
        required=False,
        empty_label=gettext_lazy("The contact the message is addressed to"),
        help_text=gettext_lazy(
            "New threads from this mailbox go to this contact; replies come from the contact's "
            "e-mail address."
        ),
    )

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
    password = _sealed_field(gettext_lazy("IMAP password"), keep=_KEEP_PASSWORD)
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

    smtp_host = forms.CharField(
        label=gettext_lazy("SMTP server"),
        max_length=255,
        required=False,
        help_text=gettext_lazy(
            "Empty: replies go through the shop's default mail server (COMPTOIR_EMAIL_URL)."
        ),
    )
    smtp_port = forms.IntegerField(
        label=gettext_lazy("SMTP port"),
        min_value=1,
        max_value=65535,
        required=False,
        help_text=gettext_lazy("Empty: 587 with STARTTLS, 465 with TLS, 25 unencrypted."),
    )
    smtp_security = forms.ChoiceField(
        label=gettext_lazy("SMTP encryption"),
        choices=SmtpSecurity.choices,
        initial=SmtpSecurity.STARTTLS,
        required=False,
    )
    smtp_username = forms.CharField(
        label=gettext_lazy("SMTP user"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Empty: no login (a relay that trusts this machine)."),
    )
    smtp_password = _sealed_field(gettext_lazy("SMTP password"), keep=_KEEP_PASSWORD)
    clear_smtp_password = forms.BooleanField(
        label=gettext_lazy("Clear the SMTP password"), required=False
    )

    auth_method = forms.ChoiceField(
        label=gettext_lazy("Sign-in"),
        choices=AuthMethod.choices,
        initial=AuthMethod.PASSWORD,
        required=False,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Microsoft 365 no longer accepts passwords, and Google only app passwords: "
            "connect them with OAuth2."
        ),
    )
    oauth_provider = forms.ChoiceField(
        label=gettext_lazy("OAuth2 provider"),
        choices=OAuthProvider.choices,
        initial=OAuthProvider.GOOGLE,
        required=False,
    )
    oauth_client_id = forms.CharField(
        label=gettext_lazy("OAuth client ID"),
        max_length=255,
        required=False,
        help_text=gettext_lazy(
            "From your Google Cloud or Microsoft Entra app registration (see the guide)."
        ),
    )
    oauth_client_secret = _sealed_field(gettext_lazy("OAuth client secret"), keep=_KEEP_SECRET)
    oauth_authorize_url = forms.URLField(
        label=gettext_lazy("Authorisation address"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("Other provider only; Google's and Microsoft's are known."),
    )
    oauth_token_url = forms.URLField(
        label=gettext_lazy("Token address"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("Other provider only; Google's and Microsoft's are known."),
    )
    oauth_scopes = forms.CharField(
        label=gettext_lazy("Scopes"),
        max_length=500,
        required=False,
        help_text=gettext_lazy(
            "Separated by spaces. Empty: what Google or Microsoft need for IMAP, POP3 and SMTP."
        ),
    )

    def __init__(self, data: Any = None, *, mailbox: Mailbox, language: str = "en") -> None:
        initial = {name: getattr(mailbox, name) for name in ("host", "port", "username")}
        initial |= {name: getattr(mailbox, name) for name in FLAGS}
        initial |= {
            "folder": mailbox.folder,
            "delete_messages": mailbox.delete_messages,
            "create_threads": mailbox.create_threads,
            "ca_file": mailbox.ca_file,
            "name": mailbox.name,
            "email_address": mailbox.email_address,
            "contact": mailbox.contact_id,
            "smtp_host": mailbox.smtp_host,
            "smtp_port": mailbox.smtp_port,
            "smtp_security": mailbox.smtp_security,
            "smtp_username": mailbox.smtp_username,
            "auth_method": mailbox.auth_method,
            "oauth_provider": mailbox.oauth_provider,
            "oauth_client_id": mailbox.oauth_client_id,
            "oauth_authorize_url": mailbox.oauth_authorize_url,
            "oauth_token_url": mailbox.oauth_token_url,
            "oauth_scopes": mailbox.oauth_scopes,
        }
        super().__init__(data, initial=initial)
        self.mailbox = mailbox
        contact_field = self.fields["contact"]
        assert isinstance(contact_field, _ContactChoice)
        contact_field.language = language

    def clean_smtp_host(self) -> str:
        host: str = self.cleaned_data["smtp_host"].strip()
        if host and not HOST_RE.match(host):
            raise forms.ValidationError(
                _("Enter only the server's host name, for example smtp.example.com.")
            )
        return host

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

    def _clean_oauth_url(self, name: str) -> str:
        url: str = self.cleaned_data[name].strip()
        if url and not url_allowed(url):
            raise forms.ValidationError(
                _("Enter an address that starts with https:// (http:// only for this machine).")
            )
        return url

    def clean_oauth_authorize_url(self) -> str:
        return self._clean_oauth_url("oauth_authorize_url")

    def clean_oauth_token_url(self) -> str:
        return self._clean_oauth_url("oauth_token_url")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["auth_method"] = cleaned.get("auth_method") or AuthMethod.PASSWORD
        cleaned["oauth_provider"] = cleaned.get("oauth_provider") or OAuthProvider.GOOGLE
        connect = self.data.get("connect") if self.data else None
        if connect in OAuthProvider.values:
            cleaned["auth_method"] = AuthMethod.OAUTH2
            cleaned["oauth_provider"] = connect
        if cleaned["auth_method"] == AuthMethod.OAUTH2:
            if not cleaned.get("oauth_client_id"):
                self.add_error(
                    "oauth_client_id", _("Enter the OAuth client ID to connect with OAuth2.")
                )
            if cleaned["oauth_provider"] == OAuthProvider.GENERIC:
                for name in ("oauth_authorize_url", "oauth_token_url"):
                    if name in cleaned and not cleaned[name]:
                        self.add_error(name, _("Enter the provider's address."))
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
            and cleaned["auth_method"] == AuthMethod.PASSWORD
            and not cleaned.get("password")
            and not cleaned.get("clear_password")
            and mailbox_password_must_be_typed(saved=self.mailbox, changed=self._changed(cleaned))
        ):
            self.add_error("password", PASSWORD_RETYPE)
        if (
            "smtp_host" in cleaned
            and not cleaned.get("smtp_password")
            and not cleaned.get("clear_smtp_password")
            and smtp_password_must_be_typed(saved=self.mailbox, changed=self._changed(cleaned))
        ):
            self.add_error("smtp_password", SMTP_PASSWORD_RETYPE)
        return cleaned

    def _changed(self, cleaned: dict[str, Any]) -> Mailbox:
        """The saved mailbox with the typed destination (not saved)."""
        changed = copy.copy(self.mailbox)
        for name in ("host", "port", "username", "ca_file", *FLAGS, *SMTP_DESTINATION):
            setattr(changed, name, cleaned.get(name, getattr(self.mailbox, name)))
        changed.smtp_security = cleaned.get("smtp_security") or SmtpSecurity.STARTTLS
        return changed
