from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.lib.money import NBSP, NNBSP, format_money


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        ("49.90", "EUR", "en", "€49.90"),
        ("49.90", "EUR", "fr", f"49,90{NBSP}€"),
        ("49.90", "EUR", "es", f"49,90{NBSP}€"),
        ("1234.50", "USD", "en", "$1,234.50"),
        ("1234.50", "EUR", "fr", f"1{NNBSP}234,50{NBSP}€"),
        ("1234.50", "EUR", "es", f"1234,50{NBSP}€"),
        ("12345.50", "EUR", "es", f"12.345,50{NBSP}€"),
        ("1234567.5", "GBP", "en", "£1,234,567.50"),
        ("0", "EUR", "en", "€0.00"),
        ("7", "EUR", "fr", f"7,00{NBSP}€"),
        ("1500", "JPY", "en", "¥1,500"),
        ("49.90", "CHF", "en", f"CHF{NBSP}49.90"),
        ("49.90", "CHF", "fr", f"49,90{NBSP}CHF"),
        ("49.90", "eur", "en", "€49.90"),
    ],
)
def test_it_writes_amounts_the_way_each_language_reads_them(amount, currency, language, expected):
    assert format_money(Decimal(amount), currency, language) == expected


def test_it_rounds_half_up_to_the_currency_minor_unit():
    assert format_money(Decimal("0.005"), "EUR", "en") == "€0.01"
    assert format_money(Decimal("2.675"), "EUR", "en") == "€2.68"
    assert format_money(Decimal("1499.5"), "JPY", "en") == "¥1,500"
    assert format_money(Decimal("1.2345"), "KWD", "en") == f"KWD{NBSP}1.235"


def test_negative_amounts_carry_the_sign_in_front():
    assert format_money(Decimal("-49.90"), "EUR", "en") == "-€49.90"
    assert format_money(Decimal("-49.90"), "EUR", "fr") == f"-49,90{NBSP}€"
    assert format_money(Decimal("-0.001"), "EUR", "en") == "€0.00"


def test_a_regional_or_unknown_language_falls_back_sensibly():
    assert format_money(Decimal("49.90"), "EUR", "fr-ca") == f"49,90{NBSP}€"
    assert format_money(Decimal("49.90"), "EUR", "es_ES") == f"49,90{NBSP}€"
    assert format_money(Decimal("49.90"), "EUR", "de") == "€49.90"


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_a_value_that_is_not_an_amount_is_refused(amount):
    with pytest.raises(ValueError, match="not an amount"):
        format_money(Decimal(amount), "EUR", "en")


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False),
    st.sampled_from(["en", "fr", "es"]),
)
def test_the_digits_always_survive_the_formatting(amount, language):
    text = format_money(amount, "EUR", language)
    digits = "".join(c for c in text if c.isdigit())
    assert digits.lstrip("0") == f"{abs(amount):.2f}".replace(".", "").lstrip("0")
    assert text.startswith("-") == (amount < 0)
