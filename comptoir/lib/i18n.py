"""Per-language content stored as ``{"en": "...", "fr": "...", "es": "..."}``."""

from __future__ import annotations

from collections.abc import Mapping


def localized(values: Mapping[str, str] | None, language: str, fallback: str) -> str:
    """The text in ``language``, else in the shop's default ``fallback``, else any text there is."""
    if not values:
        return ""
    for code in (language, fallback):
        text = values.get(code, "")
        if text:
            return text
    return next((text for text in values.values() if text), "")
