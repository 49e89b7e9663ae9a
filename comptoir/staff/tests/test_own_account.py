"""Accounts people manage themselves (issue 17, point 12): an employee changes their password,
asks for a reset link when they forgot it, and an administrator can force a reset."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.test import Client

from comptoir.staff.models import Employee
from comptoir.testing import PASSWORD, logged_in_client, make_employee

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new passphrase 42"
RESET = "/desk/password-reset/"


@pytest.fixture(autouse=True)
def _fresh_throttle(db):
    cache.clear()


def signs_in(email: str, password: str) -> bool:
    client = Client()
    response = client.post("/desk/login/", {"email": email, "password": password})
    cache.clear()  # failed attempts here are not what these tests are about
    return response.status_code == 302


def signed_in_browser(employee: Employee) -> Client:
    client = Client()
    assert (
        client.post("/desk/login/", {"email": employee.email, "password": PASSWORD}).status_code
        == 302
    )
    return client


def reset_link(smtp, to: str) -> str:
    (mail,) = [m for m in smtp.parsed() if to in m["To"]]
    body = mail.get_body(("plain",)).get_content()
    found = re.search(r"https?://\S+(/desk/password-reset/\S+/)", body)
    assert found is not None, body
    return found[1]


# --- My account: the employee's own password -------------------------------------------------


def test_an_employee_changes_their_own_password_and_their_other_sessions_end(bob):
    other_browser = signed_in_browser(bob)
    client = signed_in_browser(bob)
    page = client.get("/desk/account/password/")
    assert page.status_code == 200
    response = client.post(
        "/desk/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/desk/").status_code == 200  # this browser stays signed in
    assert other_browser.get("/desk/").status_code == 302
    assert signs_in(bob.email, NEW_PASSWORD)
    assert not signs_in(bob.email, PASSWORD)


def test_a_wrong_current_password_changes_nothing(bob):
    client = logged_in_client(bob)
    response = client.post(
        "/desk/account/password/",
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert signs_in(bob.email, PASSWORD)


def test_the_password_page_speaks_the_employees_language(bob):
    bob.language = "fr"
    bob.save()
    page = logged_in_client(bob).get("/desk/account/password/").content.decode()
    assert "Changer mon mot de passe" in page


# --- Forgot password ----------------------------------------------------------------------------


def test_the_login_page_links_to_forgot_password(client):
    assert RESET in client.get("/desk/login/").content.decode()


def test_a_reset_link_is_sent_in_the_employees_language_and_works_once(client, smtp, bob):
    bob.language = "fr"
    bob.save()
    response = client.post(RESET, {"email": "BOB@shop.test"})
    assert response.status_code == 302
    (mail,) = smtp.parsed()
    assert mail["To"].addresses[0].addr_spec == "bob@shop.test"
    assert "mot de passe" in mail["Subject"].lower()
    link = reset_link(smtp, "bob@shop.test")
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert signs_in("bob@shop.test", NEW_PASSWORD)
    again = Client().get(link, follow=True)
    assert "invalid" in again.content.decode().lower()


def test_the_answer_is_the_same_whatever_the_address(client, smtp, bob, dana):
    answers = []
    for address in ["bob@shop.test", "nobody@shop.test", dana.email, "bob@shop.tеst"]:
        cache.clear()
        response = client.post(RESET, {"email": address}, follow=True)
        answers.append((response.status_code, response.redirect_chain, response.content))
    assert all(answer == answers[0] for answer in answers)
    assert [m["To"].addresses[0].addr_spec for m in smtp.parsed()] == ["bob@shop.test"]


def test_a_reset_link_expires(client, smtp, bob, settings):
    client.post(RESET, {"email": bob.email})
    link = reset_link(smtp, bob.email)
    later = PasswordResetTokenGenerator()._now() + timedelta(
        seconds=settings.PASSWORD_RESET_TIMEOUT + 1
    )
    with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=later):
        page = client.get(link, follow=True)
    assert "invalid" in page.content.decode().lower()
    assert settings.PASSWORD_RESET_TIMEOUT <= 24 * 3600


def test_forgot_password_is_throttled_per_address_and_per_client(client, smtp, bob):
    for _ in range(5):
        client.post(RESET, {"email": bob.email})
    assert len(smtp.parsed()) == 3
    for number in range(10):
        response = client.post(RESET, {"email": f"someone{number}@shop.test"})
    assert response.status_code == 429


# --- An administrator forces a reset ------------------------------------------------------------


def test_an_administrator_forces_a_reset_that_ends_the_employees_sessions(charlie, bob, smtp):
    bobs_browser = signed_in_browser(bob)
    admin = logged_in_client(charlie)
    response = admin.post(f"/desk/employees/{bob.pk}/password-reset/")
    assert response.status_code == 302
    assert bobs_browser.get("/desk/").status_code == 302
    assert not signs_in(bob.email, PASSWORD)
    link = reset_link(smtp, bob.email)
    form = bobs_browser.get(link, follow=True)
    set_url = form.redirect_chain[-1][0]
    bobs_browser.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert signs_in(bob.email, NEW_PASSWORD)


def test_an_agent_cannot_force_a_reset(bob):
    eve = make_employee("Eve")
    assert (
        logged_in_client(bob).post(f"/desk/employees/{eve.pk}/password-reset/").status_code == 403
    )
    assert signs_in(eve.email, PASSWORD)
