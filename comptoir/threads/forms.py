"""Forms of the back-office thread pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from comptoir.lib.filetypes import ALLOWED_EXTENSIONS, check_file
from comptoir.staff.models import Employee
from comptoir.threads.cc import CcError, cc_parse
from comptoir.threads.models import Contact, Status

REPLY_STATUSES = [
    (Status.CLOSED.value, _('Mark as "handled"')),
    (Status.OPEN.value, _("Keep open")),
    (Status.PENDING1.value, _('Mark as "pending 1"')),
    (Status.PENDING2.value, _('Mark as "pending 2"')),
]
MAX_REPLY_FILES = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


def check_uploads(files: list[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Each file with its verified content type; raises ValidationError naming the bad file."""
    if len(files) > MAX_REPLY_FILES:
        raise forms.ValidationError(
            _("At most %(count)s files per message.") % {"count": MAX_REPLY_FILES}
        )
    checked = []
    for file in files:
        name = file.name or ""
        if (file.size or 0) > settings.COMPTOIR_ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("%(name)s is too large: %(limit)s at most.")
                % {"name": name, "limit": filesizeformat(settings.COMPTOIR_ATTACHMENT_MAX_BYTES)}
            )
        verdict = check_file(file, name, file.size or 0)
        if not verdict.ok:
            raise forms.ValidationError(
                _("%(name)s cannot be attached. Allowed types: %(types)s.")
                % {"name": name, "types": ", ".join(ALLOWED_EXTENSIONS)}
            )
        checked.append((file, verdict.content_type))
    return checked


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20_000,
        error_messages={"required": _("The message cannot be blank.")},
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    cc = forms.CharField(
        label=_("Cc"),
        required=False,
        max_length=2000,
        strip=False,  # a line break must reach clean_cc to be refused, not be trimmed away
        help_text=_("Addresses that get a copy, separated by commas."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "email"}
        ),
    )
    status_after = forms.ChoiceField(
        label=_("Then"), choices=REPLY_STATUSES, initial=Status.CLOSED.value
    )

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"].replace("\r\n", "\n").strip()
        if not text:
            raise forms.ValidationError(_("The message cannot be blank."))
        return text

    def clean_cc(self) -> tuple[str, ...]:
        try:
            return cc_parse(self.cleaned_data.get("cc") or "")
        except CcError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_attachments(self) -> list[tuple[UploadedFile, str]]:
        return check_uploads(self.cleaned_data.get("attachments") or [])


class ContactChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def __init__(self, language: str, **kwargs: Any) -> None:
        self.language = language
        super().__init__(**kwargs)

    """Contacts named in the given language."""

    def label_from_instance(self, obj: Contact) -> str:
        return obj.name_in(self.language)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Private note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20_000,
        help_text=_("Only employees see private notes."),
    )


SOMEONE_ELSE = "other"


class ForwardForm(forms.Form):
    target = forms.ChoiceField(label=_("Forward to"))
    email = forms.EmailField(label=_("E-mail address"), required=False)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def __init__(self, *args: Any, employees: list[Employee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.employees = {str(e.pk): e for e in employees}
        target = self.fields["target"]
        assert isinstance(target, forms.ChoiceField)
        target.choices = [
            ("", _("-- Choose --")),
            *[(str(e.pk), e.short_name) for e in employees],
            (SOMEONE_ELSE, _("Someone else")),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        target = data.get("target")
        data["to_employee"] = self.employees.get(target or "")
        if target == SOMEONE_ELSE:
            # An address that is not one already has EmailField's error; none at all is missing.
            if not data.get("email") and "email" not in self.errors:
                self.add_error("email", _("This field is required."))
        elif data["to_employee"] is None:
            self.add_error("target", _("Choose an employee or someone else."))
        return data


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, *args: Any, employees: list[Employee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.employees = {str(e.pk): e for e in employees}
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ChoiceField)
        assignee.choices = [
            ("", _("Nobody")),
            *[(str(e.pk), e.full_name) for e in employees],
        ]


def _language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class ThreadLanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=_language_choices)


class ThreadContactForm(forms.Form):
    contact = forms.ChoiceField(label=_("Contact"), required=False)

    def __init__(self, *args: Any, contacts: list[Contact], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contacts = {str(c.pk): c for c in contacts}
        field = self.fields["contact"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("No contact (order page)")),
            *[(str(c.pk), c.name_in(language)) for c in contacts],
        ]


BULK_ACTIONS = [
    ("", _("Bulk actions")),
    ("status:open", _("Set status: Open")),
    ("status:closed", _('Set status: Closed ("handled")')),
    ("status:pending1", _("Set status: Pending 1")),
    ("status:pending2", _("Set status: Pending 2")),
    ("assign", _("Assign to…")),
    ("delete", _("Delete selected")),
]
BULK_LIMIT = 300


class SavedFilterForm(forms.Form):
    """The name under which the list's current filters are kept (``query``: the list's URL
    parameters, read again through the list's allow-lists before they are kept)."""

    name = forms.CharField(label=_("Name"), max_length=60)
    query = forms.CharField(max_length=2000, required=False)
