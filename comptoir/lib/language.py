"""Which of the shop's languages a customer's text is written in.

lingua (``lingua-language-detector``): offline, its models in the package; only the models of
the languages asked for are loaded, once per process, in low-accuracy mode (trigrams only:
about 14 MB for English, French and Spanish, 0.1–0.25 ms for a 600-character e-mail). Below
``CONFIDENCE`` — a word or two, a reference number, mixed languages — the answer is ``default``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

# The share of the confidence (summed over the languages asked for) the best language needs:
# "Merci" alone reads as Spanish at 0.78, a sentence in the customer's language at 0.99+.
CONFIDENCE = 0.9
# What is read of a text: plenty for a sure answer, and a bounded cost for a long e-mail.
MAX_CHARS = 1000


@cache
def _detector(languages: tuple[str, ...]) -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    known = [Language.from_iso_code_639_1(IsoCode639_1.from_str(code)) for code in languages]
    builder = LanguageDetectorBuilder.from_languages(*known)
    return builder.with_low_accuracy_mode().with_preloaded_language_models().build()


def _model_code(code: str) -> str | None:
    """The ISO 639-1 code lingua knows a shop's language by ("pt" for "pt-br"), if any."""
    from lingua import IsoCode639_1

    base = code.split("-")[0].lower()
    try:
        IsoCode639_1.from_str(base)
    except ValueError:
        return None
    return base


def language_detect(text: str, *, among: list[str], default: str) -> str:
    """The language of ``among`` that ``text`` is written in, or ``default`` when unsure."""
    text = text.strip()[:MAX_CHARS]
    codes = {base: code for code in among if (base := _model_code(code)) is not None}
    if not text or len(codes) < 2:
        return default
    values = _detector(tuple(sorted(codes))).compute_language_confidence_values(text)
    if not values or values[0].value < CONFIDENCE:
        return default
    found = values[0].language.iso_code_639_1.name.lower()
    return codes.get(found, default)
