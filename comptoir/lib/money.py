"""Amounts of money as people read them in English, French and Spanish ("€49.90", "49,90 €").

A deliberately small subset of the Unicode CLDR conventions, for the languages comptoir speaks:
no external library, no locale module (the process locale is shared and rarely installed).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"  # between the amount and a trailing symbol: they never part at a line break
NNBSP = "\u202f"  # French thousands separator

# The symbol people expect; any other currency is written with its ISO code.
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}
# Minor units (ISO 4217) where they are not 2.
DECIMALS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "BHD": 3, "KWD": 3, "TND": 3}


@dataclass(frozen=True)
class _Style:
    group: str
    decimal: str
    symbol_first: bool
    # CLDR "minimum grouping digits": Spanish writes 1234 but 12.345.
    min_grouping_digits: int = 1


STYLES = {
    "en": _Style(group=",", decimal=".", symbol_first=True),
    "fr": _Style(group=NNBSP, decimal=",", symbol_first=False),
    "es": _Style(group=".", decimal=",", symbol_first=False, min_grouping_digits=2),
}


def _group(digits: str, separator: str, min_grouping_digits: int) -> str:
    if len(digits) < 3 + min_grouping_digits:
        return digits
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(parts)


def format_money(amount: Decimal, currency: str, language: str) -> str:
    """``amount`` in ``currency`` (ISO 4217) written for ``language`` ("en", "fr", "es", "fr-ca"…).

    Rounded half-up to the currency's minor unit. Unknown languages are written the English way.
    Raises ValueError for NaN or infinite amounts.
    """
    if not amount.is_finite():
        raise ValueError(f"not an amount of money: {amount}")
    code = currency.strip().upper()
    style = STYLES.get(language.lower().split("-")[0].split("_")[0], STYLES["en"])
    places = DECIMALS.get(code, 2)
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    negative = rounded < 0
    integer, _dot, fraction = f"{abs(rounded):f}".partition(".")
    number = _group(integer, style.group, style.min_grouping_digits)
    if places:
        number = f"{number}{style.decimal}{fraction}"
    symbol = SYMBOLS.get(code, code)
    if style.symbol_first:
        # A sign sticks to the number ("€49.90"); a code needs a space ("CHF 49.90").
        text = f"{symbol}{number}" if code in SYMBOLS else f"{symbol}{NBSP}{number}"
    else:
        text = f"{number}{NBSP}{symbol}"
    return f"-{text}" if negative else text
