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


def test_five_failures_lock_the_address_even_for_the_right_password(client, bob, store_backend):
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


# --- Throttling that cannot be turned against the team (issue 17, points 4 and 6) --------------


def attempt(client, email, password, address, **extra):
    return client.post(LOGIN, {"email": email, "password": password}, REMOTE_ADDR=address, **extra)


def signed_in(client):
    return "_auth_user_id" in client.session


def test_failures_from_one_address_never_lock_the_account_for_another_address(
    client, charlie, store_backend
):
    for _ in range(10):
        attempt(client, charlie.email, "wrong", "203.0.113.5")
    assert (
        "Too many failed attempts"
        in attempt(client, charlie.email, PASSWORD, "203.0.113.5").content.decode()
    )
    response = attempt(client, charlie.email, PASSWORD, "198.51.100.9")
    assert response.status_code == 302
    assert signed_in(client)


def test_many_failures_from_one_address_lock_that_address_for_every_account(
    client, bob, charlie, store_backend
):
    for n in range(20):
        attempt(client, f"guess{n}@shop.test", "wrong", "203.0.113.5")
    response = attempt(client, bob.email, PASSWORD, "203.0.113.5")
    assert "Too many failed attempts" in response.content.decode()
    assert not signed_in(client)
    assert attempt(client, bob.email, PASSWORD, "198.51.100.9").status_code == 302


def test_behind_a_trusted_proxy_one_visitors_failures_do_not_lock_out_the_others(
    client, bob, settings
):
    from ipaddress import ip_network

    settings.COMPTOIR_TRUSTED_PROXIES = [ip_network("127.0.0.1/32")]
    for n in range(25):
        attempt(
            client, f"guess{n}@shop.test", "wrong", "127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5"
        )
    response = attempt(
        client, bob.email, PASSWORD, "127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert response.status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_forgets_that_addresses_failures_for_the_account(
    client, bob, store_backend
):
    for _ in range(4):
        attempt(client, bob.email, "wrong", "203.0.113.5")
    assert attempt(client, bob.email, PASSWORD, "203.0.113.5").status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, bob.email, "wrong", "203.0.113.5")
    assert attempt(client, bob.email, PASSWORD, "203.0.113.5").status_code == 302


def test_administrators_see_the_locks_and_lift_them(client, bob, charlie, store_backend):
    for _ in range(5):
        attempt(client, bob.email, "wrong", "203.0.113.5")
    for n in range(20):
        attempt(client, f"guess{n}@shop.test", "wrong", "192.0.2.66")
    client.force_login(charlie)
    page = client.get(reverse("employees:list")).content.decode()
    assert "Locked sign-ins" in page
    assert bob.email in page
    assert "203.0.113.5" in page
    assert "192.0.2.66" in page
    from comptoir.staff.models import LoginThrottle

    lock = LoginThrottle.objects.get(email=bob.email)
    response = client.post(reverse("employees:lock_lift", args=[lock.pk]))
    assert response.status_code == 302
    client.logout()
    assert attempt(client, bob.email, PASSWORD, "203.0.113.5").status_code == 302


def test_agents_cannot_lift_a_lock(client, bob, charlie):
    for _ in range(5):
        attempt(client, charlie.email, "wrong", "203.0.113.5")
    from comptoir.staff.models import LoginThrottle

    lock = LoginThrottle.objects.get(email=charlie.email)
    client.force_login(bob)
    assert client.post(reverse("employees:lock_lift", args=[lock.pk])).status_code == 403
    assert LoginThrottle.objects.filter(pk=lock.pk).exists()


def test_the_employees_page_makes_the_same_queries_for_one_lock_or_sixty(
    client, charlie, django_assert_num_queries
):
    from comptoir.staff import throttle

    def lock_addresses(addresses):
        for address in addresses:
            for _ in range(5):
                throttle.login_failure_record(email="bob@shop.test", address=address)

    client.force_login(charlie)
    lock_addresses(["203.0.113.1"])
    client.get(reverse("employees:list"))  # the session and the user, read once
    with django_assert_num_queries(4) as few:
        client.get(reverse("employees:list"))
    lock_addresses([f"198.51.100.{n}" for n in range(60)])
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(reverse("employees:list")).content.decode()
    assert page.count("Unlock") == 61
