"""The "Saved replies" page: personal replies for every employee, shared ones managed by
administrators, a search over names and texts in every language."""

import pytest

from comptoir.desk_settings import services
from comptoir.testing import logged_in_client, make_employee
from comptoir.threads.models import SavedReply

pytestmark = pytest.mark.django_db


def make_reply(employee, *, shared=False, name="Parcel late", text="Your parcel is late."):
    return services.saved_reply_create(
        name={"en": name, "fr": f"{name} (fr)"},
        text={"en": text, "fr": f"{text} (fr)"},
        shared=shared,
        employee=employee,
    )


def form_data(name="Refund", text="We refund {order_reference}.", shared=None):
    data = {"name_en": name, "name_fr": "", "name_es": "", "text_en": text}
    data |= {"text_fr": "", "text_es": ""}
    if shared is not None:
        data["shared"] = "on" if shared else ""
    return data


def test_an_agent_adds_a_personal_reply_and_sees_it_listed(bob):
    agent = logged_in_client(bob)
    response = agent.post("/desk/saved-replies/add/", form_data())
    assert response.status_code == 302
    reply = SavedReply.objects.get()
    assert (reply.owner, reply.name["en"], reply.text["en"]) == (
        bob,
        "Refund",
        "We refund {order_reference}.",
    )
    page = agent.get("/desk/saved-replies/").content.decode()
    assert "Refund" in page
    assert "Only you" in page


def test_an_agent_cannot_make_a_shared_reply(bob):
    agent = logged_in_client(bob)
    agent.post("/desk/saved-replies/add/", form_data(shared=True))
    assert SavedReply.objects.get().owner == bob
    with pytest.raises(services.SettingsError):
        make_reply(bob, shared=True)


def test_an_administrator_adds_a_shared_reply_every_employee_sees(bob, charlie):
    admin = logged_in_client(charlie)
    assert admin.post("/desk/saved-replies/add/", form_data(shared=True)).status_code == 302
    assert SavedReply.objects.get().owner is None
    page = logged_in_client(bob).get("/desk/saved-replies/").content.decode()
    assert "Refund" in page
    assert "Everyone" in page


def test_a_personal_reply_is_seen_by_its_owner_alone(bob, charlie):
    mine = make_reply(bob, name="Bob's own")
    other_agent = make_employee("Eve")
    for employee in (charlie, other_agent):
        client = logged_in_client(employee)
        assert "Bob&#x27;s own" not in client.get("/desk/saved-replies/").content.decode()
        assert client.get(f"/desk/saved-replies/{mine.pk}/edit/").status_code == 404
        assert client.post(f"/desk/saved-replies/{mine.pk}/delete/").status_code == 404
    assert SavedReply.objects.filter(pk=mine.pk).exists()


def test_an_agent_uses_but_does_not_change_a_shared_reply(bob, charlie):
    shared = make_reply(charlie, shared=True, name="Team answer")
    agent = logged_in_client(bob)
    page = agent.get("/desk/saved-replies/").content.decode()
    assert "Team answer" in page
    assert f"/desk/saved-replies/{shared.pk}/edit/" not in page
    assert agent.get(f"/desk/saved-replies/{shared.pk}/edit/").status_code == 403
    assert agent.post(f"/desk/saved-replies/{shared.pk}/edit/", form_data()).status_code == 403
    assert agent.post(f"/desk/saved-replies/{shared.pk}/delete/").status_code == 403
    shared.refresh_from_db()
    assert shared.name["en"] == "Team answer"


def test_the_owner_edits_and_deletes_their_reply(bob):
    reply = make_reply(bob)
    agent = logged_in_client(bob)
    assert agent.get(f"/desk/saved-replies/{reply.pk}/edit/").status_code == 200
    response = agent.post(f"/desk/saved-replies/{reply.pk}/edit/", form_data(name="Changed"))
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.name == {"en": "Changed"}
    assert "changed" in reply.search_folded
    assert agent.get(f"/desk/saved-replies/{reply.pk}/delete/").status_code == 200
    assert agent.post(f"/desk/saved-replies/{reply.pk}/delete/").status_code == 302
    assert not SavedReply.objects.exists()


def test_an_administrator_shares_their_own_reply(charlie):
    reply = make_reply(charlie)
    admin = logged_in_client(charlie)
    admin.post(f"/desk/saved-replies/{reply.pk}/edit/", form_data(shared=True))
    reply.refresh_from_db()
    assert reply.owner is None


def test_a_name_and_a_text_are_required_in_the_shop_language(bob):
    agent = logged_in_client(bob)
    response = agent.post("/desk/saved-replies/add/", form_data(name="", text=""))
    assert response.status_code == 400
    assert "required in English" in response.content.decode()
    too_long = agent.post("/desk/saved-replies/add/", form_data(text="x" * 5001))
    assert too_long.status_code == 400
    assert not SavedReply.objects.exists()


def test_the_search_finds_names_and_texts_in_any_language_without_case_or_accents(bob):
    make_reply(bob, name="Retard de colis", text="Désolé pour le retard.")
    make_reply(bob, name="Refund", text="We refund you.")
    agent = logged_in_client(bob)

    def names(query):
        page = agent.get("/desk/saved-replies/", {"q": query}).content.decode()
        return [name for name in ("Retard de colis", "Refund") if f">{name}</a>" in page]

    assert names("RETARD") == ["Retard de colis"]
    assert names("desole") == ["Retard de colis"]
    assert names("colis (fr)") == ["Retard de colis"]
    assert names("refund you") == ["Refund"]
    assert names("") == ["Retard de colis", "Refund"]
    assert names("nothing like it") == []
    assert "No saved reply matches" in agent.get("/desk/saved-replies/?q=zzz").content.decode()


def test_the_list_runs_a_bounded_number_of_queries(bob, charlie, django_assert_max_num_queries):
    agent = logged_in_client(bob)
    make_reply(bob)
    with django_assert_max_num_queries(4):
        assert agent.get("/desk/saved-replies/").status_code == 200
    for number in range(30):
        make_reply(bob if number % 2 else charlie, shared=not number % 2, name=f"R{number}")
    with django_assert_max_num_queries(4):
        assert agent.get("/desk/saved-replies/?q=r1").status_code == 200


def test_the_forms_list_the_variables_they_fill(bob, charlie):
    for client, path in (
        (logged_in_client(bob), "/desk/saved-replies/add/"),
        (logged_in_client(charlie), "/desk/order-messages/add/"),
    ):
        page = client.get(path).content.decode()
        assert "<code>{customer_first_name}</code>" in page
        assert "<code>{tracking_number}</code>" in page
