"""The "Employees" pages: add, edit, deactivate; the rules that keep one administrator."""

import re
from typing import Any

import pytest
from django.test import Client

from comptoir.staff import services
from comptoir.staff.models import Employee, Role
from comptoir.testing import PASSWORD, logged_in_client, make_employee

pytestmark = pytest.mark.django_db


def body(response: Any) -> str:
    content: bytes = response.content
    return content.decode()


@pytest.fixture
def admin(charlie) -> Client:
    return logged_in_client(charlie)


def new_employee(**values) -> dict[str, str]:
    data = {
        "first_name": "Erin",
        "last_name": "Martin",
        "email": "Erin.Martin@Shop.test",
        "password": "a long and unusual passphrase",
        "language": "fr",
        "role": "agent",
    }
    data.update(values)
    return data


def edit_data(employee: Employee, **values) -> dict[str, str]:
    data = {
        "first_name": employee.first_name,
        "last_name": employee.last_name,
        "language": employee.language,
        "role": employee.role,
    }
    data.update(values)
    return data


def pages(employee: Employee) -> list[str]:
    return ["/desk/employees/", "/desk/employees/add/", f"/desk/employees/{employee.pk}/edit/"]


# --- who may open the pages ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, bob):
    for url in pages(bob):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"/desk/login/?next={url}")
    response = client.post(f"/desk/employees/{bob.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.is_active


def test_an_agent_cannot_open_the_employees_pages(bob):
    agent = logged_in_client(bob)
    for url in pages(bob):
        assert agent.get(url).status_code == 403, url


def test_an_agent_cannot_add_promote_or_deactivate_anyone(bob, charlie):
    agent = logged_in_client(bob)
    assert agent.post("/desk/employees/add/", new_employee()).status_code == 403
    response = agent.post(f"/desk/employees/{bob.pk}/edit/", edit_data(bob, role="admin"))
    assert response.status_code == 403
    assert agent.post(f"/desk/employees/{charlie.pk}/active/", {"active": "0"}).status_code == 403
    bob.refresh_from_db()
    charlie.refresh_from_db()
    assert bob.role == Role.AGENT
    assert charlie.is_active
    assert not Employee.objects.filter(email="erin.martin@shop.test").exists()


def test_an_administrator_opens_every_employees_page(admin, bob):
    for url in pages(bob):
        assert admin.get(url).status_code == 200, url


def test_the_employees_pages_use_no_inline_script_or_style(admin, bob):
    for url in pages(bob):
        page = body(admin.get(url))
        assert "style=" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


# --- the list -----------------------------------------------------------------------------------


def test_the_list_shows_name_email_role_language_and_whether_active(admin, bob, dana):
    make_employee("Francoise", language="fr")
    page = body(admin.get("/desk/employees/"))
    for text in ("Employees", "Add new employee", "bob@shop.test", "Francoise", "Français"):
        assert text in page
    assert "Administrator" in page
    assert "Agent" in page
    assert "Reactivate" in page  # Dana
    assert "Deactivate" in page  # Bob


def test_the_list_offers_no_deactivate_button_for_oneself(admin, charlie):
    page = body(admin.get("/desk/employees/"))
    assert f"/desk/employees/{charlie.pk}/active/" not in page


def test_the_list_makes_the_same_queries_for_3_or_50_employees(
    admin, bob, dana, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        assert admin.get("/desk/employees/").status_code == 200
    Employee.objects.bulk_create(
        Employee(email=f"e{n}@shop.test", first_name=f"E{n}", last_name="Many", language="en")
        for n in range(47)
    )
    with django_assert_max_num_queries(4):
        page = body(admin.get("/desk/employees/"))
    assert "e46@shop.test" in page


# --- adding -------------------------------------------------------------------------------------


def test_an_administrator_adds_an_employee_with_a_chosen_password(admin):
    response = admin.post("/desk/employees/add/", new_employee())
    assert response.status_code == 302
    assert response["Location"] == "/desk/employees/"
    erin = Employee.objects.get(email="erin.martin@shop.test")
    assert (erin.first_name, erin.last_name, erin.language, erin.role) == (
        "Erin",
        "Martin",
        "fr",
        Role.AGENT,
    )
    assert erin.is_active
    assert erin.check_password("a long and unusual passphrase")
    assert "Successful creation." in body(admin.get("/desk/employees/"))


def test_the_new_employee_can_log_in(admin):
    admin.post("/desk/employees/add/", new_employee())
    client = Client()
    response = client.post(
        "/desk/login/",
        {"email": "erin.martin@shop.test", "password": "a long and unusual passphrase"},
    )
    assert response.status_code == 302
    assert client.get("/desk/").status_code == 200


def test_an_administrator_can_be_added(admin):
    admin.post("/desk/employees/add/", new_employee(role="admin"))
    assert Employee.objects.get(email="erin.martin@shop.test").is_administrator


def test_a_blank_password_is_generated_and_shown_once(admin):
    response = admin.post("/desk/employees/add/", new_employee(password=""))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = body(response)
    found = re.search(r'id="new-password" value="([^"]+)"', page)
    assert found is not None
    password = found.group(1)
    assert len(password) >= 16
    assert "shown only once" in page
    erin = Employee.objects.get(email="erin.martin@shop.test")
    assert erin.check_password(password)
    assert password not in erin.password
    assert password not in body(admin.get("/desk/employees/"))
    assert password not in body(admin.get(f"/desk/employees/{erin.pk}/edit/"))


def test_an_email_address_already_used_is_refused_in_any_case(admin, bob):
    response = admin.post("/desk/employees/add/", new_employee(email="BOB@shop.TEST"))
    assert response.status_code == 400
    assert "An employee with this e-mail address already exists." in body(response)
    assert Employee.objects.filter(email__iexact="bob@shop.test").count() == 1


def test_a_bad_email_address_is_refused(admin):
    response = admin.post("/desk/employees/add/", new_employee(email="erin@"))
    assert response.status_code == 400
    assert "Enter a valid email address." in body(response)
    assert Employee.objects.count() == 1


def test_names_are_required(admin):
    response = admin.post("/desk/employees/add/", new_employee(first_name="", last_name=""))
    assert response.status_code == 400
    assert body(response).count("This field is required.") == 2


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("erin.martin.shop", "too similar"),
    ],
)
def test_a_weak_password_is_refused_by_the_password_validators(admin, password, reason):
    response = admin.post("/desk/employees/add/", new_employee(password=password))
    assert response.status_code == 400
    assert reason in body(response)
    assert not Employee.objects.filter(email="erin.martin@shop.test").exists()


def test_an_unknown_language_or_role_is_refused(admin):
    response = admin.post("/desk/employees/add/", new_employee(language="de", role="boss"))
    assert response.status_code == 400
    assert body(response).count("Select a valid choice.") == 2


def test_the_create_service_refuses_a_duplicate_and_a_weak_password(bob):
    with pytest.raises(services.EmployeeError, match="already exists"):
        services.employee_create(
            email=" Bob@Shop.test ", first_name="B", last_name="C", language="en", role=Role.AGENT
        )
    with pytest.raises(services.EmployeeError, match="too short"):
        services.employee_create(
            email="new@shop.test",
            first_name="N",
            last_name="E",
            language="en",
            role=Role.AGENT,
            password="short",
        )


# --- editing ------------------------------------------------------------------------------------


def test_an_administrator_edits_name_language_and_role(admin, bob):
    page = body(admin.get(f"/desk/employees/{bob.pk}/edit/"))
    assert 'value="Bob"' in page
    assert "bob@shop.test" in page
    response = admin.post(
        f"/desk/employees/{bob.pk}/edit/",
        edit_data(bob, first_name="Robert", last_name="Dupont", language="es", role="admin"),
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert (bob.first_name, bob.last_name, bob.language, bob.role) == (
        "Robert",
        "Dupont",
        "es",
        Role.ADMINISTRATOR,
    )
    assert bob.email == "bob@shop.test"
    assert "Successful update." in body(admin.get("/desk/employees/"))


def test_an_administrator_cannot_demote_themself(admin, charlie):
    make_employee("Diane", role=Role.ADMINISTRATOR)
    response = admin.post(f"/desk/employees/{charlie.pk}/edit/", edit_data(charlie, role="agent"))
    assert response.status_code == 400
    assert "You cannot remove your own administrator role." in body(response)
    charlie.refresh_from_db()
    assert charlie.is_administrator


def test_an_administrator_may_change_their_own_name_and_language(admin, charlie):
    response = admin.post(
        f"/desk/employees/{charlie.pk}/edit/",
        edit_data(charlie, first_name="Charles", language="fr"),
    )
    assert response.status_code == 302
    charlie.refresh_from_db()
    assert (charlie.first_name, charlie.language) == ("Charles", "fr")
    assert '<html lang="fr">' in body(admin.get("/desk/employees/"))


def test_another_administrator_can_be_demoted_while_one_remains(admin):
    diane = make_employee("Diane", role=Role.ADMINISTRATOR)
    response = admin.post(f"/desk/employees/{diane.pk}/edit/", edit_data(diane, role="agent"))
    assert response.status_code == 302
    diane.refresh_from_db()
    assert diane.role == Role.AGENT


def test_the_last_active_administrator_can_never_be_demoted(charlie, bob):
    with pytest.raises(services.EmployeeError, match="last active administrator"):
        services.employee_update(
            actor=bob,
            employee=charlie,
            first_name="Charlie",
            last_name="Tester",
            language="en",
            role=Role.AGENT,
        )
    charlie.refresh_from_db()
    assert charlie.is_administrator


def test_an_inactive_administrator_does_not_count_as_the_remaining_one(charlie, bob):
    make_employee("Olga", role=Role.ADMINISTRATOR, active=False)
    with pytest.raises(services.EmployeeError, match="last active administrator"):
        services.employee_set_active(actor=bob, employee=charlie, active=False)


def test_editing_an_unknown_employee_is_not_found(admin):
    assert admin.get("/desk/employees/999999/edit/").status_code == 404


# --- deactivating -------------------------------------------------------------------------------


def test_a_deactivated_employee_loses_access_at_once(admin, bob):
    agent = logged_in_client(bob)
    assert agent.get("/desk/").status_code == 200
    response = admin.post(f"/desk/employees/{bob.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert not bob.is_active
    assert agent.get("/desk/").status_code == 302
    assert "Successful update." in body(admin.get("/desk/employees/"))


def test_an_inactive_employee_is_reactivated(admin, dana):
    admin.post(f"/desk/employees/{dana.pk}/active/", {"active": "1"})
    dana.refresh_from_db()
    assert dana.is_active
    client = Client()
    client.post("/desk/login/", {"email": dana.email, "password": PASSWORD})
    assert client.get("/desk/").status_code == 200


def test_an_administrator_cannot_deactivate_themself(admin, charlie):
    make_employee("Diane", role=Role.ADMINISTRATOR)
    response = admin.post(f"/desk/employees/{charlie.pk}/active/", {"active": "0"}, follow=True)
    assert "You cannot deactivate your own account." in body(response)
    charlie.refresh_from_db()
    assert charlie.is_active


def test_the_last_active_administrator_can_never_be_deactivated(charlie, bob):
    with pytest.raises(services.EmployeeError, match="last active administrator"):
        services.employee_set_active(actor=bob, employee=charlie, active=False)
    charlie.refresh_from_db()
    assert charlie.is_active


def test_another_administrator_can_be_deactivated_while_one_remains(admin):
    diane = make_employee("Diane", role=Role.ADMINISTRATOR)
    admin.post(f"/desk/employees/{diane.pk}/active/", {"active": "0"})
    diane.refresh_from_db()
    assert not diane.is_active


def test_deactivating_needs_a_post(admin, bob):
    assert admin.get(f"/desk/employees/{bob.pk}/active/").status_code == 405
    bob.refresh_from_db()
    assert bob.is_active
