from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from comptoir.notifications.models import Delivery, NotificationPreference
from comptoir.notifications.services import PREFERENCE_FIELDS


class PreferenceForm(forms.Form):
    """One choice per kind (``Delivery``), labelled as the model's fields are."""

    def __init__(self, *args: Any, current: NotificationPreference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in PREFERENCE_FIELDS:
            field = NotificationPreference._meta.get_field(name)
            assert isinstance(field, models.Field)
            self.fields[name] = forms.ChoiceField(
                label=field.verbose_name,
                choices=Delivery.choices,
                initial=getattr(current, name),
            )
