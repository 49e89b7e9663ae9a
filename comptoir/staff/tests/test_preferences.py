import pytest

pytestmark = pytest.mark.django_db


def test_an_agent_chooses_their_language_and_the_desk_follows(client, bob):
    client.force_login(bob)
    assert "Customer Service" in client.get("/desk/").content.decode()
    response = client.post("/desk/preferences/", {"language": "es"})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.language == "es"
    page = client.get("/desk/").content.decode()
    assert "Servicio al cliente" in page
    assert "Estadísticas" in page


def test_an_unknown_language_is_refused(client, bob):
    client.force_login(bob)
    client.post("/desk/preferences/", {"language": "xx"})
    bob.refresh_from_db()
    assert bob.language == "en"


def test_preferences_need_a_login(client, db):
    assert client.get("/desk/preferences/")["Location"].startswith("/desk/login/")
