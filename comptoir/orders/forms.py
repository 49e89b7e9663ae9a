"""The order page's "send a message" form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from comptoir.orders.services import ORDER_MESSAGE_MAX_LENGTH


class _MessageField(forms.CharField):
    """Browsers post line breaks as CRLF but count them as one character: so do we."""

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return None if text is None else text.replace("\r\n", "\n").replace("\r", "\n")


class OrderMessagePostForm(forms.Form):
    """What ``order_message_post`` takes (it checks the text again)."""

    visible = forms.BooleanField(label=gettext_lazy("Display to customer?"), required=False)
    message = _MessageField(
        label=gettext_lazy("Message"),
        max_length=ORDER_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": gettext_lazy("The message cannot be blank.")},
    )
