"""Jinja2 partials inside Django templates: ``{% partial "threads/_messages.jinja" %}``.

The list and the thread page repeat a row, a message or a timeline entry up to a few hundred
times; through Django's template engine those loops were most of each page's time and missed the
budgets (docs/DECISIONS.md, "Back to Django (issue 15)"). A partial is a Jinja2 template with
autoescape, kept where Django's Jinja2 backend looks (``<app>/jinja2/``; the ``partials``
engine of ``TEMPLATES``), rendered with the including
template's context and request: Django's translations (``_()``), ``url()``, ``csrf_input``,
``date`` (Django's output, through ``lib.dates``), Django's ``localtime`` and
``filesizeformat``, and the filters of the ``comptoir`` library. Unlike Django's engine,
``date`` does not change the value's time zone: templates write ``value|localtime`` once and
format that.

Templates are written across lines (``trim_blocks`` and ``lstrip_blocks``: a line holding only
a ``{% tag %}`` leaves nothing in the output). ``_()`` is Django's ``gettext`` as Jinja's
old-style callable: its result is text, escaped like any value, and placeholders are filled by
``|format``: ``_("Order %(reference)s")|format(reference=ref)``, the form ``makemessages`` finds
(it cannot see ``_("...", name=value)``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import jinja2
from django.http import HttpRequest
from django.template import defaultfilters, engines
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext

from comptoir.lib.dates import date_formatter


def _date(value: datetime | None, fmt: str = "DATE_FORMAT") -> str:
    """What Django's ``date`` filter writes, through the formatter compiled once per format
    (``lib.dates``); the value is shown in its own zone (``|localtime`` first)."""
    return date_formatter(get_format(fmt))(value) if value is not None else ""


def _url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


_MARKER = 2_147_483_647


def _url_by_id(name: str) -> Callable[[int], str]:
    """``url(name, id)`` for many ids, the URL reversed once: a list writes one link per row,
    and ``reverse`` for each was a tenth of the rows' time."""
    head, tail = reverse(name, args=[_MARKER]).split(str(_MARKER))
    return lambda pk: f"{head}{int(pk)}{tail}"


def environment(**options: Any) -> jinja2.Environment:
    """The partials' environment (the ``environment`` option of Django's Jinja2 backend)."""
    from comptoir.threads.templatetags.comptoir import register

    options.pop("autoescape", None)
    options.setdefault("trim_blocks", True)
    options.setdefault("lstrip_blocks", True)
    env = jinja2.Environment(autoescape=True, **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.globals["url"] = _url
    env.globals["url_by_id"] = _url_by_id
    env.filters.update(register.filters)
    env.filters.update(
        date=_date,
        localtime=localtime,
        filesizeformat=defaultfilters.filesizeformat,
    )
    return env


def partial_render(name: str, context: dict[Any, Any], request: HttpRequest | None) -> SafeString:
    """The partial ``name`` rendered with ``context``; its output is escaped by Jinja2."""
    return mark_safe(engines["partials"].get_template(name).render(context, request))  # noqa: S308
