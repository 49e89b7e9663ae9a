from comptoir.lib.colours import PAGE_BACKGROUND, colour_contrast, colour_readable


def test_black_on_white_is_twenty_one_to_one():
    assert round(colour_contrast("#000000", "#ffffff"), 2) == 21.0
    assert colour_contrast("#ffffff", "#000000") == colour_contrast("#000000", "#ffffff")


def test_the_default_accent_is_too_pale_for_text_and_its_readable_shade_passes():
    assert colour_contrast("#25b9d7", "#ffffff") < 3
    readable = colour_readable("#25b9d7")
    assert colour_contrast(readable, "#ffffff") >= 4.5
    assert colour_contrast(readable, PAGE_BACKGROUND) >= 4.5
    red, blue = int(readable[1:3], 16), int(readable[5:7], 16)
    assert blue > red > 0  # the same hue, darker


def test_a_dark_enough_accent_is_kept_as_it_is():
    assert colour_readable("#1d4ed8") == "#1d4ed8"


def test_a_yellow_accent_gets_a_dark_shade_that_passes():
    readable = colour_readable("#ffeb3b")
    assert colour_contrast(readable, PAGE_BACKGROUND) >= 4.5
