import pytest
from django.core.cache import cache
from django.urls import reverse

from comptoir.testing import PASSWORD

LOGIN = "/desk/login/"


@pytest.fixture(autouse=True)
def _clear_throttle(db):
    cache.clear()


def test_the_back_office_sends_anonymous_visitors_to_the_login_page(client, db):
    response = client.get("/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=/desk/")


def test_an_employee_logs_in_with_their_email_in_any_case(client, bob):
    response = client.post(LOGIN, {"email": "BOB@Shop.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:home")
    assert client.get("/desk/").status_code == 200


def test_the_password_is_stored_with_argon2(bob):
    assert bob.password.startswith("argon2")


def test_a_wrong_password_is_refused_without_saying_which_part_is_wrong(client, bob):
    response = client.post(LOGIN, {"email": "bob@shop.test", "password": "nope"})
    assert response.status_code == 200
    assert "do not match an active employee" in response.content.decode()
    response = client.post(LOGIN, {"email": "nobody@shop.test", "password": "nope"})
    assert "do not match an active employee" in response.content.decode()


def test_an_inactive_employee_cannot_log_in(client, dana):
    response = client.post(LOGIN, {"email": dana.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_address_even_for_the_right_password(client, bob):
    for _ in range(5):
        client.post(LOGIN, {"email": bob.email, "password": "wrong"})
    response = client.post(LOGIN, {"email": bob.email, "password": PASSWORD})
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_next_is_followed_only_on_this_site(client, bob):
    response = client.post(
        f"{LOGIN}?next=https://evil.example/", {"email": bob.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("desk:home")


def test_logout_needs_a_post(client, bob):
    client.force_login(bob)
    assert client.get("/desk/logout/").status_code == 405
    assert client.post("/desk/logout/").status_code == 302
    assert client.get("/desk/").status_code == 302


def test_the_login_page_speaks_french_to_a_french_browser(client, db):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="fr")
    assert 'lang="fr"' in response.content.decode()


def test_pages_carry_a_strict_content_security_policy(client, db):
    policy = client.get(LOGIN)["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
