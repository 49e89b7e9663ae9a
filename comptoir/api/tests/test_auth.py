"""Who may call the API: no key, a malformed, unknown or revoked key, the wrong scope."""

import pytest

from comptoir.api.keys import key_hash
from comptoir.api.models import ApiKey
from comptoir.api.services import api_key_revoke
from comptoir.api.tests.conftest import Api
from comptoir.testing import make_thread

pytestmark = pytest.mark.django_db


def test_without_a_key_the_api_answers_401_with_a_stable_code():
    response = Api(None).get("/threads")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize(
    "key",
    [
        "nonsense",
        "ctk_short_secret",
        "ctk_" + "a" * 10 + "_" + "b" * 40,  # well formed, but no such key
    ],
)
def test_a_key_that_is_not_ours_is_refused(key):
    response = Api(key).get("/threads")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_key"


def test_a_key_with_a_wrong_secret_is_refused(write_key):
    _row, clear = write_key
    tampered = clear[:-1] + ("A" if clear[-1] != "A" else "B")
    assert Api(tampered).get("/threads").json()["code"] == "invalid_key"
    assert Api(clear).get("/threads").status_code == 200


def test_a_revoked_key_is_refused(write_key, charlie):
    row, clear = write_key
    assert api_key_revoke(key=row, employee=charlie)
    response = Api(clear).get("/threads")
    assert response.status_code == 401
    assert response.json()["code"] == "revoked_key"
    assert not api_key_revoke(key=row, employee=charlie)  # already revoked


def test_a_key_stops_working_when_its_employee_is_deactivated(write_key, charlie):
    _row, clear = write_key
    charlie.is_active = False
    charlie.save(update_fields=["is_active"])
    response = Api(clear).get("/threads")
    assert response.status_code == 401
    assert response.json()["code"] == "inactive_employee"


def test_a_read_key_reads_but_cannot_write(reader):
    thread = make_thread()
    assert reader.get(f"/threads/{thread.pk}").status_code == 200
    response = reader.post(f"/threads/{thread.pk}/notes", {"text": "Checked"})
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert thread.messages.count() == 1


def test_only_the_hash_of_the_key_is_stored(write_key):
    row, clear = write_key
    stored = ApiKey.objects.get(pk=row.pk)
    assert stored.secret_hash == key_hash(clear)
    assert clear.split("_")[2] not in {stored.secret_hash, stored.prefix, stored.name}


def test_using_a_key_records_when_it_was_last_used(write_key):
    row, clear = write_key

    def last_used():
        return ApiKey.objects.get(pk=row.pk).last_used_at

    assert last_used() is None
    Api(clear).get("/contacts")
    first = last_used()
    assert first is not None
    Api(clear).get("/contacts")
    assert last_used() == first  # at most one write a minute


def test_errors_are_translated_with_accept_language():
    response = Api(None, language="fr").get("/threads")
    assert "clé" in response.json()["message"]
    response = Api(None, language="es").get("/threads")
    assert "clave" in response.json()["message"]
