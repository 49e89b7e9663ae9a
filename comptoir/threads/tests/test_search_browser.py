"""Issue 20's search in Chromium at a phone's and a desktop's width: the words found are marked
in each row's excerpt, accents and case ignored. Screenshots go to var/screenshots/."""

import pytest

from comptoir.testing import PASSWORD, make_customer, make_thread

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_search_marks_the_words_found_in_chromium(live_server, page, bob, screenshot_dir, size):
    page.set_viewport_size(SIZES[size])
    lucia = make_customer("Lucía", last_name="Fernández", email="lucia@example.es", language="es")
    make_thread(
        email=lucia.email,
        customer=lucia,
        language="es",
        text="Hola, el paquete llegó abierto y falta un colis; ¿pueden reenviarlo?",
    )
    make_thread(
        email="elodie@example.fr",
        language="fr",
        text="Bonjour, mon colis est arrivé abîmé : le carton était écrasé. <b>Merci</b>",
    )
    make_thread(email="john@example.com", text="Where is my parcel?")
    page.goto(f"{live_server.url}/desk/")
    page.get_by_label("E-mail address").fill(bob.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Customer Service", exact=True).wait_for()
    page.goto(f"{live_server.url}/desk/?q=COLIS+abime")
    marks = page.locator(".thread-list mark")
    assert marks.count() == 2
    assert marks.all_inner_texts() == ["colis", "abîmé"]
    page.screenshot(path=screenshot_dir / f"i20-search-{size}.png", full_page=True)
    page.goto(f"{live_server.url}/desk/?q=colis")
    assert page.locator(".thread-list mark").count() == 2
    assert "<b>Merci</b>" in page.locator(".thread-list").inner_text()
