"""Forms of the "Employees" pages (administrators only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from comptoir.lib.addresses import email_normalize
from comptoir.staff.models import Employee, Role


def _language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class EmployeeEditForm(forms.Form):
    required_css_class = "required"

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    language = forms.ChoiceField(label=_("Language"), choices=_language_choices)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, employee: Employee | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if employee is not None:
            self.initial.update(
                first_name=employee.first_name,
                last_name=employee.last_name,
                language=employee.language,
                role=employee.role,
            )
        else:
            self.initial.setdefault("language", settings.LANGUAGE_CODE)
            self.initial.setdefault("role", Role.AGENT)

    @property
    def role_value(self) -> Role:
        return Role(self.cleaned_data["role"])


class EmployeeAddForm(EmployeeEditForm):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave blank to generate a random password, shown once on the next page."),
    )

    field_order = ["first_name", "last_name", "email", "password", "language", "role"]

    def clean_email(self) -> str:
        email = email_normalize(self.cleaned_data["email"])
        if Employee.objects.filter(email=email).exists():
            raise forms.ValidationError(
                _("An employee with this e-mail address already exists."), code="duplicate"
            )
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password:
            candidate = Employee(
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data
