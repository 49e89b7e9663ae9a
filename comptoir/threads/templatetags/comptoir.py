from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Protocol

from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy, ngettext

register = template.Library()


@register.simple_tag(takes_context=True)
def partial(context: template.Context, name: str) -> SafeString:
    """``{% partial "threads/_messages.jinja" %}``: a Jinja2 partial (``threads.partials``)
    rendered with this template's context."""
    from comptoir.threads.partials import partial_render

    return partial_render(name, context.flatten(), context.get("request"))


class _Named(Protocol):
    def name_in(self, language: str) -> str: ...


@register.filter
def name_in(obj: _Named | None, language: str) -> str:
    """``{{ contact|name_in:LANGUAGE_CODE }}``: per-language name with the shop's fallback."""
    return obj.name_in(language) if obj is not None else ""


class _Described(Protocol):
    def description_in(self, language: str) -> str: ...


@register.filter
def description_in(obj: _Described | None, language: str) -> str:
    return obj.description_in(language) if obj is not None else ""


@register.filter
def hours(value: timedelta | None) -> str:
    """A duration as PrestaShop's KPI shows it: "3.5 hours"."""
    if value is None:
        return ""
    amount = value.total_seconds() / 3600
    return ngettext("%(n)s hour", "%(n)s hours", round(amount)) % {"n": number_format(amount, 1)}


SORT_LABELS = {
    "relevance": gettext_lazy("Relevance"),
    "id": gettext_lazy("ID"),
    "last_message": gettext_lazy("Last message"),
    "email": gettext_lazy("E-mail"),
    "status": gettext_lazy("Status"),
    "language": gettext_lazy("Language"),
}


@register.filter
def sort_label(key: str) -> str:
    return str(SORT_LABELS.get(key, key))


@register.filter
def status_label(value: str) -> str:
    from comptoir.threads.models import Status

    try:
        return str(Status(value).label)
    except ValueError:
        return value


@register.filter
def email_status_label(value: str) -> str:
    from comptoir.threads.models import EmailStatus

    try:
        return str(EmailStatus(value).label)
    except ValueError:
        return value


@register.filter
def language_name(value: str) -> str:
    """A language's name as the shop lists it (``LANGUAGES``), else its code."""
    return dict(settings.LANGUAGES).get(value, value)


@register.filter
def event_kind_label(value: str) -> str:
    from comptoir.threads.models import EventKind

    try:
        return str(EventKind(value).label)
    except ValueError:
        return value


@register.filter
def language_label(code: str) -> str:
    """A language code as the shop's language choices name it."""
    return str(dict(settings.LANGUAGES).get(code, code))


@register.filter
def money(value: Decimal | None) -> str:
    """An amount in the shop's currency, written for the active language."""
    from comptoir.lib.money import format_money

    if value is None:
        return ""
    return format_money(value, settings.COMPTOIR_CURRENCY, get_language() or "en")
