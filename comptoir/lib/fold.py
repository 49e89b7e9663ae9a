"""Text folded for matching whatever its case and accents: "LUCÍA", "Lucía" and "lucia" are one.

``fold`` is the one definition: compatibility decomposition (NFKD), combining marks removed,
then case folding (so "Fernández" → "fernandez", "ÇA" → "ca", "Straße" → "strasse", "ﬁ" →
"fi"). The searchable short fields are stored folded beside the original (the customer's name:
``shop.Customer.name_folded``) and the query is folded the same way.

Long texts (messages) are not stored twice: ``folded_contains`` matches them in the database,
each database its own way (see DECISIONS, issue 19), until full-text indexes replace it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.db import connection
from django.db.models import Q


def fold(text: str) -> str:
    """``text`` without case or accents, for comparing (never for showing)."""
    if text.isascii():
        return text.lower()
    # Decomposed first ("℃" is "°C"), then case-folded, which may add a mark ("İ" → "i̇").
    folded = _unmarked(_unmarked(text).casefold())
    # Korean syllables decompose into letters that are not marks: put them back together.
    return unicodedata.normalize("NFKC", folded)


def _unmarked(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# The letters a folded letter or digit stands for: every character of the Latin, Greek and
# Cyrillic blocks, Latin Extended Additional (Vietnamese), the Latin ligatures ("ﬁ") and the
# full-width forms whose fold is that character.
_BLOCKS = ((0x20, 0x7F), (0xA0, 0x530), (0x1E00, 0x2000), (0xFB00, 0xFB07), (0xFF01, 0xFF5F))


@lru_cache(maxsize=1)
def _variants() -> tuple[dict[str, str], dict[str, str]]:
    """(one folded character → its spellings, several folded characters → their spellings)."""
    single: dict[str, set[str]] = {}
    several: dict[str, set[str]] = {}
    for start, end in _BLOCKS:
        for code in range(start, end):
            char = chr(code)
            folded = fold(char)
            if folded.isalnum():
                (single if len(folded) == 1 else several).setdefault(folded, set()).add(char)
    for folded, chars in single.items():
        chars.add(folded)
    return (
        {key: "".join(sorted(chars)) for key, chars in single.items()},
        {key: "".join(sorted(chars)) for key, chars in several.items()},
    )


def _char_class(chars: str) -> str:
    return "[" + "".join("\\" + c if c in "\\]^-[" else c for c in chars) + "]"


def _letter(char: str) -> str:
    """One folded character as a pattern: a class of its spellings, or itself escaped."""
    spellings = _variants()[0].get(char)
    if spellings is not None:
        return _char_class(spellings)
    if char.isalnum():
        return _char_class(char + char.upper())
    return re.escape(char)


def fold_pattern(folded: str) -> str:
    """A regular expression finding ``folded`` (already folded) in text as written, whatever
    its case and accents: "fernandez" → ``[Ff][EeÈÉÊËèéêë…]…``. Understood alike by Python's
    ``re`` (SQLite's REGEXP in Django) and PostgreSQL's ``~``: bracket classes, backslash
    escapes and ``(?:…)`` only."""
    several = _variants()[1]
    parts: list[str] = []
    index = 0
    while index < len(folded):
        run = next(
            (folded[index : index + n] for n in (3, 2) if folded[index : index + n] in several), ""
        )
        if run:
            # "ss" is also "ß": the letters one by one, or one character folding to them.
            letters = "".join(_letter(char) for char in run)
            parts.append(f"(?:{letters}|{_char_class(several[run])})")
            index += len(run)
        else:
            parts.append(_letter(folded[index]))
            index += 1
    return "".join(parts)


def folded_contains(field: str, text: str) -> Q:
    """Rows whose ``field`` (a long text, not stored folded) contains ``text`` whatever the
    case and accents of either.

    MariaDB/MySQL: ``LIKE`` under the column's ``utf8mb4_*_ci`` collation already ignores both.
    SQLite and PostgreSQL: a regular expression whose classes hold every spelling of each
    letter (PostgreSQL's ``~`` in C; on SQLite Django's REGEXP, Python's ``re``). No extension
    (``unaccent`` needs one), no second copy of every message."""
    if connection.vendor == "mysql":
        return Q(**{f"{field}__icontains": text})
    return Q(**{f"{field}__regex": fold_pattern(fold(text))})
