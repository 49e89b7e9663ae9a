from __future__ import annotations

import secrets
import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from comptoir.contact_form.services import Upload, order_for_email
from comptoir.lib.filetypes import ALLOWED_EXTENSIONS, check_file
from comptoir.threads.forms import ContactChoiceField
from comptoir.threads.models import Contact, Thread

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


class ContactMessageForm(forms.Form):
    contact = forms.ModelChoiceField(queryset=Contact.objects.none())
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "invalid": _("Invalid email address."),
            "required": _("Invalid email address."),
        },
    )
    order_reference = forms.CharField(
        label=_("Order reference"),
        required=False,
        max_length=32,
        help_text=_("Optional. The reference is on your order confirmation e-mail."),
    )
    attachment = forms.FileField(
        label=_("Attach file"),
        required=False,
        allow_empty_file=True,
    )
    message = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("The message cannot be blank.")},
    )
    # Honeypot: hidden from people by CSS, filled by robots.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        language: str,
        allow_uploads: bool,
        thread: Thread | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.thread = thread
        self.spam = False
        contacts = Contact.objects.order_by("position", "id")
        if thread is not None and thread.contact_id is not None:
            contacts = contacts.filter(pk=thread.contact_id)
        self.fields["contact"] = ContactChoiceField(
            language,
            queryset=contacts,
            label=_("Subject heading"),
            widget=forms.RadioSelect,
            empty_label=None,
            error_messages={
                "required": _("Please select a subject from the list provided."),
                "invalid_choice": _("Please select a subject from the list provided."),
            },
        )
        if thread is not None and thread.contact_id is not None:
            self.fields["contact"].initial = thread.contact_id
        max_chars = settings.COMPTOIR_CONTACT_MESSAGE_MAX_CHARS
        self.fields["message"].widget.attrs["maxlength"] = str(max_chars)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if thread is not None:
            self.fields["email"].initial = thread.email
            self.fields["email"].widget.attrs["readonly"] = True
            if thread.order is not None:
                self.fields["order_reference"].initial = thread.order.reference
        if allow_uploads:
            limit = filesizeformat(settings.COMPTOIR_ATTACHMENT_MAX_BYTES)
            types = ", ".join(ALLOWED_EXTENSIONS)
            self.fields["attachment"].help_text = _("Optional. %(types)s; %(limit)s at most.") % {
                "types": types,
                "limit": limit,
            }
        else:
            del self.fields["attachment"]
        if not self.is_bound:
            self.initial["form_token"] = form_token()

    def clean_email(self) -> str:
        if self.thread is not None:
            return self.thread.email
        email: str = self.cleaned_data["email"]
        return email.strip().lower()

    def clean_message(self) -> str:
        text: str = self.cleaned_data["message"].replace("\r\n", "\n").replace("\x00", "").strip()
        if not text:
            raise forms.ValidationError(_("The message cannot be blank."), code="blank")
        limit = settings.COMPTOIR_CONTACT_MESSAGE_MAX_CHARS
        if len(text) > limit:
            raise forms.ValidationError(
                _("The message is too long: %(count)s characters, %(limit)s at most.")
                % {"count": len(text), "limit": limit},
                code="too_long",
            )
        return text

    def clean_attachment(self) -> Upload | None:
        file = self.cleaned_data.get("attachment")
        if not file:
            return None
        if file.size > settings.COMPTOIR_ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large: %(limit)s at most.")
                % {"limit": filesizeformat(settings.COMPTOIR_ATTACHMENT_MAX_BYTES)},
                code="too_large",
            )
        verdict = check_file(file, file.name or "", file.size or 0)
        if not verdict.ok:
            messages: dict[str, str] = {
                "empty": str(_("The file is empty.")),
                "extension": _("Bad file extension. Allowed types: %(types)s.")
                % {"types": ", ".join(ALLOWED_EXTENSIONS)},
                "content": _("The file's content does not match its name (.%(ext)s).")
                % {"ext": verdict.extension},
            }
            raise forms.ValidationError(messages[verdict.reason], code=verdict.reason)
        return Upload(file=file, content_type=verdict.content_type)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            if data.get("website"):
                raise SpamSuspected
            age = token_age(data.get("form_token") or "")
            if age < settings.COMPTOIR_CONTACT_MIN_FILL_SECONDS:
                raise SpamSuspected
        except SpamSuspected:
            self.spam = True
            raise forms.ValidationError(SPAM_MESSAGE, code="spam") from None
        reference = (data.get("order_reference") or "").strip()
        data["order"] = None
        if self.thread is not None and self.thread.order is not None:
            data["order"] = self.thread.order
        elif reference and data.get("email"):
            order = order_for_email(reference, data["email"])
            if order is None:
                self.add_error(
                    "order_reference",
                    _("This order reference does not match your e-mail address."),
                )
            data["order"] = order
        return data
