from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from comptoir.lib.http import client_address
from comptoir.staff import throttle
from comptoir.staff.models import Employee


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.employee: Employee | None = None
        self.fields["email"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, password = data.get("email"), data.get("password")
        if not email or not password:
            return data
        address = client_address(self.request)
        if throttle.login_is_locked(email=email, address=address):
            raise forms.ValidationError(
                _("Too many failed attempts. Please wait 15 minutes and try again."),
                code="locked",
            )
        user = authenticate(self.request, username=email, password=password)
        if not isinstance(user, Employee) or not user.is_active:
            throttle.login_failure_record(email=email, address=address)
            raise forms.ValidationError(
                _("This e-mail address and password do not match an active employee."),
                code="invalid",
            )
        throttle.login_success_record(email=email, address=address)
        self.employee = user
        return data


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "username", "autofocus": True})


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32, strip=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        )


# The variables a signature may use (filled by ``threads.signatures``, one allow-list
# substitution); any other ``{word}`` is refused rather than sent as typed.
SIGNATURE_VARIABLES = ("employee_first_name", "shop_name")
SIGNATURE_MAX = 1000
_BRACED_WORD = re.compile(r"\{([a-z_]{1,40})\}")


class SignatureForm(forms.Form):
    """An employee's signature, one text per shop language (``signature_<code>``)."""

    def __init__(self, *args: Any, employee: Employee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, language_name in settings.LANGUAGES:
            field = forms.CharField(
                label=language_name,
                required=False,
                max_length=SIGNATURE_MAX,
                widget=forms.Textarea(attrs={"rows": 4, "lang": code}),
            )
            self.fields[f"signature_{code}"] = field
            self.initial[f"signature_{code}"] = employee.signature.get(code, "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for code, _name in settings.LANGUAGES:
            text = data.get(f"signature_{code}") or ""
            if any(word not in SIGNATURE_VARIABLES for word in _BRACED_WORD.findall(text)):
                self.add_error(
                    f"signature_{code}",
                    _("A signature can use only %(variables)s.")
                    % {"variables": ", ".join(f"{{{name}}}" for name in SIGNATURE_VARIABLES)},
                )
        return data

    def signature_values(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(f"signature_{code}") or ""
            for code, _name in settings.LANGUAGES
        }

    @property
    def variables_hint(self) -> str:
        return ", ".join(f"{{{name}}}" for name in SIGNATURE_VARIABLES)
