"""The one form of an e-mail address: ASCII case only, IDNA domains, no Unicode folding."""

import pytest

from comptoir.lib.addresses import email_normalize


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Jane.Doe@HotMail.COM ", "jane.doe@hotmail.com"),
        ("jane@Bücher.de", "jane@xn--bcher-kva.de"),
        ("jane@bücher.de", "jane@xn--bcher-kva.de"),
        ('"Odd@Name"@Example.com', '"odd@name"@example.com'),
        ("not an address", "not an address"),
    ],
)
def test_ascii_letters_are_lower_cased_and_domains_written_in_their_idna_form(typed, stored):
    assert email_normalize(typed) == stored


@pytest.mark.parametrize(
    ("look_alike", "ascii"),
    [
        ("admın@shop.test", "admin@shop.test"),  # dotless i
        ("jane.doe@hotmaıl.com", "jane.doe@hotmail.com"),
        ("ſupport@shop.test", "support@shop.test"),  # long s
        ("jane@hotmaſl.com", "jane@hotmasl.com"),
        ("\u212aate@example.com", "kate@example.com"),  # Kelvin sign
        ("ADMİN@shop.test", "admin@shop.test"),  # dotted capital I
        ("jane@BÜCHER.de", "jane@bücher.de"),
    ],
)
def test_no_unicode_character_is_folded_onto_another(look_alike, ascii):
    assert email_normalize(look_alike) != email_normalize(ascii)
    assert email_normalize(look_alike).isascii() is False or "xn--" in email_normalize(look_alike)
