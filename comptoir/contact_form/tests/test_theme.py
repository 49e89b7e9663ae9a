import re

from comptoir.lib.colours import PAGE_BACKGROUND, colour_contrast


def test_the_theme_keeps_the_shops_accent_and_gives_text_a_shade_that_reads(client, settings):
    settings.COMPTOIR_SHOP_ACCENT_COLOR = "#25b9d7"
    css = client.get("/contact/theme.css").content.decode()
    assert "--shop-accent: #25b9d7;" in css
    found = re.search(r"--shop-accent-dark: (#[0-9a-f]{6});", css)
    assert found
    assert colour_contrast(found[1], "#ffffff") >= 4.5
    assert colour_contrast(found[1], PAGE_BACKGROUND) >= 4.5


def test_every_page_links_the_theme(client, db):
    for path in ("/contact/", "/desk/login/"):
        assert 'href="/contact/theme.css"' in client.get(path).content.decode()
