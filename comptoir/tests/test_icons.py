"""Icons are inline SVG: a character from an emoji or symbol font shows as an empty box on a
machine without that font."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted([*ROOT.rglob("templates/**/*.html"), *ROOT.rglob("jinja2/**/*.jinja")])
FONT_ICONS = {"📎", "✔", "✘", "✉", "✓", "✗", "⚠", "🔒"}


def test_there_are_templates_to_read():
    assert len(TEMPLATES) > 30


def test_no_template_draws_an_icon_with_a_font_character():
    found = {
        f"{path.relative_to(ROOT)}: {icon}"
        for path in TEMPLATES
        for icon in FONT_ICONS
        if icon in path.read_text(encoding="utf-8")
    }
    assert found == set()
