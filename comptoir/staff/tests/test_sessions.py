"""The session store and the sign-in backend read by key through prepared queries, with
Django's rules: an expired session is no session, an inactive employee is signed out."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.staff.sessions import EmployeeBackend, SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_is_read_back_and_an_expired_one_is_not():
    store = SessionStore()
    store["answer"] = 42
    store.save()
    key = store.session_key
    assert SessionStore(key).load() == {"answer": 42}
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None  # saving it would take a new key, as Django does
    assert SessionStore("no-such-key-at-all-000000000000").load() == {}


def test_the_employee_of_a_request_is_read_in_one_statement(bob):
    backend = EmployeeBackend()
    backend.get_user(bob.pk)  # compiled here
    with CaptureQueriesContext(connection) as queries:
        found = backend.get_user(bob.pk)
    assert len(queries) == 1
    assert found == bob
    assert found.email == bob.email
    assert backend.get_user(bob.pk + 1000) is None
    assert backend.get_user("not a number") is None


def test_an_inactive_employee_is_no_longer_signed_in(client, bob):
    client.force_login(bob)
    assert client.get("/desk/").status_code == 200
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert EmployeeBackend().get_user(bob.pk) is None
    response = client.get("/desk/")
    assert response.status_code == 302
    assert "/login" in response["Location"]
