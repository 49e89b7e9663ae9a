from __future__ import annotations

import secrets
import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from comptoir.lib.filetypes import ALLOWED_EXTENSIONS
from comptoir.threads.contact_message_forms import ContactMessageBaseForm

TOKEN_SALT = "comptoir.contact-form"  # noqa: S105 — a signing namespace, not a secret
SPAM_MESSAGE = _("Your message could not be sent. Please wait a moment and try again.")


class SpamSuspected(Exception):
    pass


def form_token() -> str:
    """A signed, timestamped token: proves the form was displayed, and when."""
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(secrets.token_hex(8))


def token_age(token: str) -> float:
    """Seconds since the token was issued; raises SpamSuspected when forged or expired."""
    signer = signing.TimestampSigner(salt=TOKEN_SALT)
    try:
        signer.unsign(token, max_age=settings.COMPTOIR_CONTACT_FORM_MAX_AGE)
        issued = signing.b62_decode(token.rsplit(signer.sep, 2)[1])
    except (signing.BadSignature, ValueError, IndexError):
        raise SpamSuspected from None
    return time.time() - issued


class ContactMessageForm(ContactMessageBaseForm):
    """The public page's form: the shared rules, plus a honeypot and a signed, timed token."""

    # Honeypot: hidden from people by CSS, filled by robots.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, allow_uploads: bool, **kwargs: Any) -> None:
        super().__init__(*args, allow_uploads=allow_uploads, **kwargs)
        self.spam = False
        max_chars = settings.COMPTOIR_CONTACT_MESSAGE_MAX_CHARS
        self.fields["message"].widget.attrs["maxlength"] = str(max_chars)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if self.thread is not None:
            self.fields["email"].initial = self.thread.email
            self.fields["email"].widget.attrs["readonly"] = True
            if self.thread.order is not None:
                self.fields["order_reference"].initial = self.thread.order.reference
        if allow_uploads:
            limit = filesizeformat(settings.COMPTOIR_ATTACHMENT_MAX_BYTES)
            types = ", ".join(ALLOWED_EXTENSIONS)
            self.fields["attachment"].help_text = _("Optional. %(types)s; %(limit)s at most.") % {
                "types": types,
                "limit": limit,
            }
        if not self.is_bound:
            self.initial["form_token"] = form_token()

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        try:
            if data.get("website"):
                raise SpamSuspected
            age = token_age(data.get("form_token") or "")
            if age < settings.COMPTOIR_CONTACT_MIN_FILL_SECONDS:
                raise SpamSuspected
        except SpamSuspected:
            self.spam = True
            raise forms.ValidationError(SPAM_MESSAGE, code="spam") from None
        return super().clean()
