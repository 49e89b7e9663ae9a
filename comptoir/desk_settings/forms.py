"""Forms of the administrator's settings pages. Per-language values are one field per language in
``settings.LANGUAGES`` (``name_en``, ``name_fr``…), added when the form is built."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.forms import BoundField
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.desk_settings import services
from comptoir.staff.models import Employee
from comptoir.threads.forms import ContactChoiceField
from comptoir.threads.models import Contact, DeskSettings, OrderMessage, SavedReply

POSITION_MAX = 1_000_000


class PerLanguageForm(forms.Form):
    required_css_class = "required"

    def add_language_fields(
        self,
        prefix: str,
        *,
        max_length: int,
        required: bool,
        required_message: str = "",
        textarea: bool = False,
        initial: Mapping[str, str] | None = None,
    ) -> None:
        """One field per language; only the shop's default language may be required."""
        for code, language_name in settings.LANGUAGES:
            is_required = required and code == settings.LANGUAGE_CODE
            field = forms.CharField(
                label=language_name,
                max_length=max_length,
                required=is_required,
                widget=forms.Textarea(attrs={"rows": 5}) if textarea else forms.TextInput,
                error_messages={"required": required_message} if is_required else None,
            )
            field.widget.attrs["lang"] = code
            self.fields[f"{prefix}_{code}"] = field
            if initial:
                self.initial[f"{prefix}_{code}"] = initial.get(code, "")

    def language_values(self, prefix: str) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(f"{prefix}_{code}") or ""
            for code, _name in settings.LANGUAGES
        }

    def language_fields(self, prefix: str) -> list[BoundField]:
        return [self[f"{prefix}_{code}"] for code, _name in settings.LANGUAGES]


def _default_language_name() -> str:
    return dict(settings.LANGUAGES).get(settings.LANGUAGE_CODE, settings.LANGUAGE_CODE)


def _required_in_default(what: str) -> str:
    return _("%(what)s is required in %(language)s, the shop's default language.") % {
        "what": what,
        "language": _default_language_name(),
    }


class ContactForm(PerLanguageForm):
    email = forms.EmailField(
        label=gettext_lazy("Email address"),
        required=False,
        max_length=254,
        help_text=gettext_lazy("Where this contact receives the customers' messages."),
    )
    save_messages = forms.BooleanField(
        label=gettext_lazy("Save messages?"),
        required=False,
        help_text=gettext_lazy(
            "If disabled, messages sent to this contact are only e-mailed to it, "
            "not stored in the customer service."
        ),
    )
    position = forms.IntegerField(
        label=gettext_lazy("Position"),
        required=False,
        min_value=0,
        max_value=POSITION_MAX,
        help_text=gettext_lazy("Leave blank to place a new contact last."),
    )

    def __init__(self, *args: Any, contact: Contact | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if contact is not None:
            self.initial.update(
                email=contact.email, save_messages=contact.save_messages, position=contact.position
            )
        else:
            self.initial.setdefault("save_messages", True)
        self.add_language_fields(
            "name",
            max_length=services.CONTACT_NAME_MAX,
            required=True,
            required_message=_required_in_default(_("The title")),
            initial=contact.name if contact else None,
        )
        self.add_language_fields(
            "description",
            max_length=services.CONTACT_DESCRIPTION_MAX,
            required=False,
            textarea=True,
            initial=contact.description if contact else None,
        )

    @property
    def name_fields(self) -> list[BoundField]:
        return self.language_fields("name")

    @property
    def description_fields(self) -> list[BoundField]:
        return self.language_fields("description")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("save_messages") and not data.get("email") and "email" not in self.errors:
            self.add_error(
                "email",
                _(
                    "A contact that does not save messages needs an e-mail address: "
                    "otherwise its messages would go nowhere."
                ),
            )
        return data


class ContactDeleteForm(forms.Form):
    """Deleting a contact that threads use means choosing the contact that takes them."""

    def __init__(
        self, *args: Any, contact: Contact, thread_count: int, language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["move_threads_to"] = ContactChoiceField(
            language,
            queryset=Contact.objects.exclude(pk=contact.pk).order_by("position", "id"),
            required=thread_count > 0,
            label=_("Move its threads to"),
            empty_label=_("Choose a contact"),
            error_messages={"required": _("Choose the contact that will receive the threads.")},
        )


class NameAndTextForm(PerLanguageForm):
    """A name and a text in every language, required in the default one: what an order
    message and a saved reply are made of."""

    def add_name_and_text(
        self, *, name_max: int, text_max: int, name: Any = None, text: Any = None
    ) -> None:
        self.add_language_fields(
            "name",
            max_length=name_max,
            required=True,
            required_message=_required_in_default(_("The name")),
            initial=name,
        )
        self.add_language_fields(
            "text",
            max_length=text_max,
            required=True,
            required_message=_required_in_default(_("The message")),
            textarea=True,
            initial=text,
        )

    @property
    def name_fields(self) -> list[BoundField]:
        return self.language_fields("name")

    @property
    def text_fields(self) -> list[BoundField]:
        return self.language_fields("text")


class OrderMessageForm(NameAndTextForm):
    def __init__(
        self, *args: Any, order_message: OrderMessage | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_name_and_text(
            name_max=services.ORDER_MESSAGE_NAME_MAX,
            text_max=services.ORDER_MESSAGE_TEXT_MAX,
            name=order_message.name if order_message else None,
            text=order_message.text if order_message else None,
        )


class DeskOptionsForm(PerLanguageForm):
    allow_file_uploads = forms.BooleanField(
        label=gettext_lazy("Allow file uploading"),
        required=False,
        help_text=gettext_lazy("Allow customers to attach a file to their message."),
    )
    privacy_policy_url = forms.URLField(
        label=gettext_lazy("Privacy policy URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("The contact form links to this page of the shop."),
    )

    def __init__(self, *args: Any, desk_settings: DeskSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["allow_file_uploads"] = desk_settings.allow_file_uploads
        self.initial["privacy_policy_url"] = desk_settings.privacy_policy_url
        self.add_language_fields(
            "consent_notice",
            max_length=services.CONSENT_NOTICE_MAX,
            required=False,
            textarea=True,
            initial=desk_settings.consent_notice,
        )
        self.add_language_fields(
            "default_message",
            max_length=services.DEFAULT_MESSAGE_MAX,
            required=False,
            textarea=True,
            initial=desk_settings.default_message,
        )

    @property
    def default_message_fields(self) -> list[BoundField]:
        return self.language_fields("default_message")

    @property
    def consent_notice_fields(self) -> list[BoundField]:
        return self.language_fields("consent_notice")


class SavedReplyForm(NameAndTextForm):
    """A saved reply's name and text per language; "shared" only for administrators."""

    shared = forms.BooleanField(
        label=gettext_lazy("Shared with every employee"),
        required=False,
        help_text=gettext_lazy("Otherwise only you see this reply."),
    )

    def __init__(
        self,
        *args: Any,
        employee: Employee,
        saved_reply: SavedReply | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if employee.is_administrator:
            self.initial["shared"] = saved_reply is not None and saved_reply.owner_id is None
        else:
            del self.fields["shared"]
        self.add_name_and_text(
            name_max=services.SAVED_REPLY_NAME_MAX,
            text_max=services.SAVED_REPLY_TEXT_MAX,
            name=saved_reply.name if saved_reply else None,
            text=saved_reply.text if saved_reply else None,
        )
