"""Which of a few languages a customer's text is written in (py3langid: offline, a small
naive Bayes model over byte n-grams, about 0.07 ms for a 600-character e-mail).

The model is loaded once per process, on first use (about 0.7 s), and restricted to the
languages asked for; below ``CONFIDENCE`` the answer is ``default``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

# Probability (normalised over the languages asked for) below which the text is not trusted:
# "Merci" alone reads as Spanish at 0.39, a real sentence is above 0.99.
CONFIDENCE = 0.9
# What is read of a text: enough for a sure answer, and a bounded cost for a long e-mail.
MAX_CHARS = 2000

@cache
def _identifier(languages: tuple[str, ...]) -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([code for code in languages if code in identifier.labels])
    return identifier


def language_detect(text: str, *, among: list[str], default: str) -> str:
    """The language of ``among`` that ``text`` is written in, or ``default`` when unsure."""
    text = text.strip()[:MAX_CHARS]
    # The model knows languages by their ISO 639-1 code: "pt" for a shop's "pt-br".
    codes = {code.split("-")[0].lower(): code for code in among}
    if not text or len(codes) < 2:
        return default
    language, confidence = _identifier(tuple(sorted(codes))).classify(text)
    return codes.get(str(language), default) if confidence >= CONFIDENCE else default
