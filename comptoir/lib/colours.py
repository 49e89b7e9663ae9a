"""Colour contrast (WCAG 2.x relative luminance) for the shop's accent colour.

The shop chooses its accent colour (``COMPTOIR_SHOP_ACCENT_COLOR``); a light one such as the
default #25b9d7 is 2.3:1 against white, too pale for text or for white text on it. The pages use
it for decoration only and draw links and primary buttons in ``colour_readable(accent)``: the
same hue, darkened until it reaches 4.5:1 against the lightest background it sits on.
"""

PAGE_BACKGROUND = "#eff1f2"  # the back office's page colour, the lightest text sits on but white


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(colour: str) -> tuple[int, int, int]:
    hex_digits = colour.lstrip("#")
    return int(hex_digits[0:2], 16), int(hex_digits[2:4], 16), int(hex_digits[4:6], 16)


def colour_luminance(colour: str) -> float:
    """The relative luminance of a ``#rrggbb`` colour, 0 (black) to 1 (white)."""
    r, g, b = (_channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def colour_contrast(first: str, second: str) -> float:
    """The contrast ratio of two ``#rrggbb`` colours, 1 to 21."""
    light, dark = sorted((colour_luminance(first), colour_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def colour_readable(colour: str, *, against: str = PAGE_BACKGROUND, ratio: float = 4.5) -> str:
    """``colour`` itself when it reaches ``ratio`` against both white and ``against``, else the
    same hue mixed with black, a step at a time, until it does (black at worst)."""
    r, g, b = _rgb(colour)
    for step in range(101):
        keep = 1 - step / 100
        mixed = "#{:02x}{:02x}{:02x}".format(*(round(c * keep) for c in (r, g, b)))
        if min(colour_contrast(mixed, "#ffffff"), colour_contrast(mixed, against)) >= ratio:
            return mixed
    return "#000000"
