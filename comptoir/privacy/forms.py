from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.privacy.models import RetentionPolicy

MAX_DAYS = 36500


def _days(label: Any, help_text: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, help_text=help_text, required=False, min_value=1, max_value=MAX_DAYS
    )


class RetentionForm(forms.ModelForm):  # type: ignore[type-arg]
    closed_threads_days = _days(
        _("Closed conversations (days)"),
        _(
            "A closed conversation is deleted with its messages and files this many days after "
            "its last message. Empty: kept for ever."
        ),
    )
    inbound_mail_days = _days(
        _("Original e-mails received (days)"),
        _("The original of a processed e-mail is deleted after this many days."),
    )
    sent_mail_days = _days(
        _("Copies of sent e-mails (days)"),
        _("The copy of a sent e-mail is deleted after this many days."),
    )
    webhook_bodies_days = _days(
        _("Webhook delivery contents (days)"),
        _("What was sent to a webhook is blanked after this many days."),
    )

    class Meta:
        model = RetentionPolicy
        fields = [
            "closed_threads_days",
            "inbound_mail_days",
            "sent_mail_days",
            "webhook_bodies_days",
        ]


class AddressForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this deletes this person's data for good."), required=True
    )
