"""Sessions and the signed-in employee, as Django keeps them (its database session store and its
model backend): an expired session is no session, an inactive employee is signed out."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_a_signed_in_employee_stays_signed_in_until_the_session_expires(client, bob):
    client.force_login(bob)
    assert client.get("/desk/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/desk/")
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_the_cookie_of_an_expired_session_is_dropped(client, bob):
    client.force_login(bob)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    client.get("/desk/login/")
    assert client.cookies["sessionid"].value != key


def test_an_inactive_employee_is_no_longer_signed_in(client, bob):
    client.force_login(bob)
    assert client.get("/desk/").status_code == 200
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    response = client.get("/desk/")
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_a_deleted_employee_is_no_longer_signed_in(client, charlie):
    client.force_login(charlie)
    charlie.delete()
    response = client.get("/desk/")
    assert response.status_code == 302
    assert "/login" in response["Location"]
