"""Signatures (issue 18): each employee writes theirs per language on their own page; an
administrator can write or correct anyone's from the Employees pages."""

import html

import pytest

from comptoir.testing import logged_in_client

pytestmark = pytest.mark.django_db
OWN = "/desk/account/signature/"


def page(response):
    return html.unescape(response.content.decode())


def test_an_employee_writes_a_signature_per_language_on_their_own_page(bob):
    client = logged_in_client(bob)
    shown = page(client.get(OWN))
    assert 'name="signature_fr"' in shown
    assert 'lang="es"' in shown
    response = client.post(
        OWN,
        {
            "signature_en": "{employee_first_name}\r\nCustomer service",
            "signature_fr": "  {employee_first_name}\r\nService client, {shop_name}  ",
            "signature_es": "   ",
        },
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.signature == {
        "en": "{employee_first_name}\nCustomer service",
        "fr": "{employee_first_name}\nService client, {shop_name}",
    }
    assert bob.signature_in("es") == bob.signature["en"]  # the default language's
    assert "Service client, {shop_name}" in page(client.get(OWN))


def test_the_preferences_page_links_to_the_signature(bob):
    assert f'href="{OWN}"' in page(logged_in_client(bob).get("/desk/preferences/"))


def test_a_signature_with_another_variable_is_refused_in_the_employees_language(bob):
    bob.language = "fr"
    bob.save(update_fields=["language"])
    response = logged_in_client(bob).post(OWN, {"signature_en": "Order {order_reference}"})
    assert response.status_code == 400
    assert "Une signature ne peut utiliser que {employee_first_name}, {shop_name}." in page(
        response
    )
    bob.refresh_from_db()
    assert bob.signature == {}


def test_a_signature_too_long_is_refused_not_a_500(bob):
    response = logged_in_client(bob).post(OWN, {"signature_en": "x" * 1001})
    assert response.status_code == 400
    assert "at most 1000 characters" in page(response)


def test_an_administrator_writes_an_agents_signature_from_the_employees_pages(bob, charlie):
    admin = logged_in_client(charlie)
    edit = page(admin.get(f"/desk/employees/{bob.pk}/edit/"))
    assert f'href="/desk/employees/{bob.pk}/signature/"' in edit
    response = admin.post(
        f"/desk/employees/{bob.pk}/signature/", {"signature_en": "Bob, at your service"}
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.signature == {"en": "Bob, at your service"}


def test_an_agent_cannot_open_another_employees_signature(bob, charlie):
    agent = logged_in_client(bob)
    assert agent.get(f"/desk/employees/{charlie.pk}/signature/").status_code == 403
    response = agent.post(f"/desk/employees/{charlie.pk}/signature/", {"signature_en": "Hacked"})
    assert response.status_code == 403
    charlie.refresh_from_db()
    assert charlie.signature == {}


def test_an_unknown_employees_signature_page_is_not_found(charlie):
    assert logged_in_client(charlie).get("/desk/employees/999999/signature/").status_code == 404
