from __future__ import annotations

from typing import Protocol

from django import template

register = template.Library()


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
