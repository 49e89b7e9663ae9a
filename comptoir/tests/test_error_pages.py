"""Error pages (400, 403, 404, 500, CSRF failure): translated, in the shop's look, with a way back.

Employees (pages under /desk/) are led back to the customer service page, the public to the
contact form. The 500 page is drawn without the database, which may be the thing that failed.
"""

import html as entities

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import path

from comptoir import urls as comptoir_urls
from comptoir.testing import make_thread


def crash(request):
    raise OperationalError("the database is gone")


# The project's URLs and error handlers, and two views that fail.
urlpatterns = [
    path("desk/crash/", crash),
    path("contact/crash/", crash),
    *comptoir_urls.urlpatterns,
]
handler400 = comptoir_urls.handler400
handler403 = comptoir_urls.handler403
handler404 = comptoir_urls.handler404
handler500 = comptoir_urls.handler500

DESK_BACK = 'href="/desk/"'
PUBLIC_BACK = 'href="/contact/?lang='


def html(response) -> str:
    return str(entities.unescape(response.content.decode()))


def assert_styled(page: str) -> None:
    assert "comptoir/comptoir.css" in page
    assert "<h1" in page


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("url", "language", "words", "back"),
    [
        ("/desk/crash/", "en", "Something went wrong", DESK_BACK),
        ("/desk/crash/", "fr", "Une erreur s'est produite", DESK_BACK),
        ("/contact/crash/", "es", "Se ha producido un error", PUBLIC_BACK),
    ],
)
def test_the_500_page_is_translated_and_drawn_without_the_database(url, language, words, back):
    # No django_db mark: any query here raises, so the page must be drawn without one.
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    response = client.get(url)
    assert response.status_code == 500
    page = html(response)
    assert words in page
    assert back in page
    assert f'lang="{language}"' in page
    assert_styled(page)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "language", "words", "back"),
    [
        ("/desk/threads/999999/", "en", "Page not found", DESK_BACK),
        ("/desk/nothing-here/", "fr", "Page introuvable", DESK_BACK),
        ("/contact/nothing-here/", "es", "Página no encontrada", PUBLIC_BACK),
        ("/nothing-here/", "fr", "Page introuvable", PUBLIC_BACK),
    ],
)
def test_the_404_page_is_translated_with_a_way_back(client, bob, url, language, words, back):
    if url.startswith("/desk/"):
        bob.language = language
        bob.save(update_fields=["language"])
        client.force_login(bob)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    page = html(response)
    assert words in page
    assert back in page
    assert_styled(page)


@pytest.mark.django_db
def test_the_404_page_of_the_public_follows_the_language_in_the_address(client):
    page = html(client.get("/contact/nothing-here/?lang=fr"))
    assert "Page introuvable" in page
    assert 'href="/contact/?lang=fr"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "words"), [("fr", "Accès refusé"), ("es", "Acceso denegado")])
def test_the_403_page_tells_an_agent_in_their_language_and_leads_back_to_the_desk(
    client, bob, language, words
):
    bob.language = language
    bob.save(update_fields=["language"])
    client.force_login(bob)
    response = client.get("/desk/options/")
    assert response.status_code == 403
    page = html(response)
    assert words in page
    assert DESK_BACK in page
    assert_styled(page)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"), [("en", "Bad request"), ("fr", "Requête incorrecte")]
)
def test_the_400_page_is_translated_with_a_way_back(language, words):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.get("/contact/", HTTP_HOST="not-our-host.example")
    assert response.status_code == 400
    page = html(response)
    assert words in page
    assert PUBLIC_BACK in page
    assert_styled(page)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"), [("fr", "Le formulaire a expiré"), ("es", "El formulario ha caducado")]
)
def test_a_form_sent_without_its_csrf_token_gets_the_translated_page_with_a_way_back(
    settings, language, words
):
    assert settings.CSRF_FAILURE_VIEW == "comptoir.errors.csrf_failure"
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    response = client.post("/contact/", {"message": "Hello"})
    assert response.status_code == 403
    page = html(response)
    assert words in page
    assert PUBLIC_BACK in page
    assert_styled(page)


@pytest.mark.django_db
def test_an_employee_whose_form_expired_is_led_back_to_the_desk(bob):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    thread = make_thread()
    response = client.post(f"/desk/threads/{thread.pk}/status/", {"status": "closed"})
    assert response.status_code == 403
    page = html(response)
    assert "The form has expired" in page
    assert DESK_BACK in page
