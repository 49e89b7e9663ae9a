"""Forms of the API keys and webhooks pages (administrators)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.api.models import Scope
from comptoir.lib import netguard
from comptoir.staff.models import Employee
from comptoir.threads.models import Topic

ADDRESS_ERRORS = {
    "scheme": _("Only http:// and https:// addresses can be used."),
    "credentials": _("Put no user name or password in the address; use the signing secret."),
    "port": _("The port is not valid."),
    "unresolvable": _("This host name cannot be found."),
    "private": _(
        "This address leads to a private, loopback or link-local network address. Tick "
        '"Allow private network addresses" if the receiver really is inside your network.'
    ),
}


class EmployeeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Employee) -> str:
        return f"{obj.full_name} <{obj.email}>"


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_('What uses the key, e.g. "Shop sync" or "Stock script".'),
    )
    scope = forms.ChoiceField(label=_("Access"), choices=Scope.choices, initial=Scope.READ)
    employee = EmployeeChoiceField(
        label=_("Acts as"),
        queryset=Employee.objects.none(),
        help_text=_("Replies, notes and changes made with the key are this employee's."),
    )
    may_export_personal_data = forms.BooleanField(
        label=_("May export personal data (customers:export)"), required=False
    )
    may_erase_personal_data = forms.BooleanField(
        label=_("May erase personal data (customers:erase)"),
        required=False,
        help_text=_("Only with read and write access, acting as an administrator."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        employee = self.fields["employee"]
        assert isinstance(employee, forms.ModelChoiceField)
        employee.queryset = Employee.objects.filter(is_active=True).order_by(
            "last_name", "first_name"
        )


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("comptoir POSTs each event there as JSON, signed with the secret."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    topics = forms.MultipleChoiceField(
        label=_("Events"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple
    )
    allow_private_network = forms.BooleanField(
        label=_("Allow private network addresses"),
        required=False,
        help_text=_(
            "Off: addresses that lead to loopback, private or link-local networks are refused, "
            "at every redirect too. Turn on only for a receiver inside your own network."
        ),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        url = data.get("url")
        if url:
            try:
                netguard.url_check(url, allow_private=bool(data.get("allow_private_network")))
            except netguard.AddressRefused as exc:
                self.add_error("url", str(ADDRESS_ERRORS.get(exc.reason, exc)))
        return data
