"""Django date formats compiled once, for pages that write hundreds of dates.

``django.utils.dateformat.format`` re-reads the format and works out the time zone for every
value (about 60 us each); the list and the thread page write one or two dates per row.
``date_formatter(fmt)`` reads the format once and returns a function giving exactly what
Django gives, for the format characters pages use; any other character falls back to Django.
The datetime must already be in the time zone to show (``localtime``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from django.utils.dateformat import format as django_format
from django.utils.dates import MONTHS, MONTHS_AP

# These words are Django's msgids, translated by Django's own catalogue (not comptoir's).
from django.utils.translation import get_language
from django.utils.translation import gettext as _django


def _hour12(value: datetime) -> str:
    hour, minute = value.hour % 12 or 12, value.minute
    return f"{hour}:{minute:02d}" if minute else str(hour)


def _parts() -> dict[str, Callable[[datetime], str]]:
    """The format characters, with the words of the active language looked up once."""
    am, pm, midnight, noon = _django("a.m."), _django("p.m."), _django("midnight"), _django("noon")
    months = {n: str(name) for n, name in MONTHS.items()}
    months_ap = {n: str(name) for n, name in MONTHS_AP.items()}

    def meridiem(v: datetime) -> str:
        return pm if v.hour > 11 else am

    def p(v: datetime) -> str:
        if v.minute == 0 and v.hour in (0, 12):
            return midnight if v.hour == 0 else noon
        return f"{_hour12(v)} {meridiem(v)}"

    return {
        "d": lambda v: f"{v.day:02d}",
        "j": lambda v: str(v.day),
        "m": lambda v: f"{v.month:02d}",
        "n": lambda v: str(v.month),
        "Y": lambda v: f"{v.year:04d}",
        "y": lambda v: f"{v.year % 100:02d}",
        "H": lambda v: f"{v.hour:02d}",
        "G": lambda v: str(v.hour),
        "i": lambda v: f"{v.minute:02d}",
        "s": lambda v: f"{v.second:02d}",
        "a": meridiem,
        "f": _hour12,
        "P": p,
        "F": lambda v: months[v.month],
        "N": lambda v: months_ap[v.month],
    }


def date_formatter(fmt: str) -> Callable[[datetime], str]:
    """The formatter of ``fmt`` in the active language."""
    return _compiled(fmt, get_language())


@lru_cache(maxsize=64)
def _compiled(fmt: str, language: str | None) -> Callable[[datetime], str]:
    parts = _parts()
    pieces: list[str | Callable[[datetime], str]] = []
    escaped = False
    for char in fmt:
        if escaped:
            pieces.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in parts:
            pieces.append(parts[char])
        elif char.isalpha():
            return lambda value: str(django_format(value, fmt))
        else:
            pieces.append(char)

    def render(value: datetime) -> str:
        return "".join(p if isinstance(p, str) else p(value) for p in pieces)

    return render
