"""The rules a message to a contact must meet, whatever sends it (contact form or API).

The public page adds its anti-robot fields (``contact_form.forms``); the API feeds the same form
with the fields of its JSON body, so both refuse the same input with the same translated words.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from comptoir.lib.addresses import email_normalize
from comptoir.lib.filetypes import ALLOWED_EXTENSIONS, check_file
from comptoir.threads.contact_messages import order_for_email
from comptoir.threads.forms import ContactChoiceField
from comptoir.threads.messages import Upload
from comptoir.threads.models import Contact, Thread


class ContactMessageBaseForm(forms.Form):
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
        if not allow_uploads:
            del self.fields["attachment"]

    def clean_email(self) -> str:
        if self.thread is not None:
            return self.thread.email
        email: str = self.cleaned_data["email"]
        return email_normalize(email)

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
        return Upload(content=file, name=file.name or "file", content_type=verdict.content_type)

    def clean(self) -> dict[str, Any]:
        """The order reference must be an order of this e-mail address (same words whether it
        does not exist or belongs to someone else)."""
        data = super().clean() or {}
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
