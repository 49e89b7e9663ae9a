"""Addresses are compared in their one stored form on every database (issue 17, point 7).

PostgreSQL's ``UPPER()`` (what ``iexact`` uses) folds ``ı`` onto ``I`` and ``ſ`` onto ``S``,
MariaDB's ``_ci`` collation does the same, and Python's ``str.lower()`` turns the Kelvin sign
into ``k``: each let a look-alike address pass for someone else's.
"""

import pytest
from django.core.cache import cache
from django.db import connection

from comptoir.api.models import Scope
from comptoir.api.services import api_key_create
from comptoir.api.tests.conftest import Api
from comptoir.lib.addresses import email_column_normalize
from comptoir.shop.models import Customer
from comptoir.staff.models import Employee, Role
from comptoir.testing import (
    PASSWORD,
    default_contact,
    make_customer,
    make_employee,
    make_order,
    make_thread,
)
from comptoir.threads.models import RateCounter, Thread

pytestmark = pytest.mark.django_db
LOOK_ALIKES = ["jane.kidd@hotmaıl.com", "jane.kidd@hotmaſl.com", "jane.\u212aidd@hotmail.com"]


@pytest.fixture(autouse=True)
def _fresh_limits(db):
    cache.clear()
    RateCounter.objects.all().delete()


@pytest.fixture
def jane():
    jane = make_customer("Jane", email="jane.kidd@hotmail.com")
    make_order(jane, reference="JANEORDER")
    return jane


@pytest.fixture
def api(charlie):
    key = api_key_create(name="Shop", scope=Scope.WRITE, employee=charlie, created_by=charlie)
    return Api(key[1])


def contact_form_post(client, email, reference=""):
    from comptoir.contact_form.tests.test_contact_form import post

    return post(client, {"email": email, "order_reference": reference})


@pytest.mark.parametrize("typed", ["admın@shop.test", "ADMİN@shop.test", "adm\u0131n@SHOP.test"])
def test_a_look_alike_address_with_the_right_password_does_not_sign_in(client, typed):
    make_employee("Admin", role=Role.ADMINISTRATOR, email="admin@shop.test")
    response = client.post("/desk/login/", {"email": typed, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_employees_own_address_in_another_ascii_case_still_signs_in(client):
    make_employee("Admin", role=Role.ADMINISTRATOR, email="admin@shop.test")
    response = client.post("/desk/login/", {"email": "Admin@Shop.TEST", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("typed", LOOK_ALIKES)
def test_a_look_alike_address_with_janes_order_reference_fails_the_ownership_check(
    client, jane, typed
):
    response = contact_form_post(client, typed, "JANEORDER")
    assert response.status_code == 400
    assert "does not match your e-mail address" in response.content.decode()
    assert not Thread.objects.exists()


@pytest.mark.parametrize("typed", LOOK_ALIKES)
def test_a_look_alike_address_on_the_contact_form_is_not_linked_to_jane(client, jane, typed):
    assert contact_form_post(client, typed).status_code == 302
    thread = Thread.objects.get()
    assert thread.customer_id is None
    assert thread.email != jane.email


@pytest.mark.parametrize("typed", LOOK_ALIKES)
def test_the_api_refuses_a_look_alike_address_with_janes_order_reference(api, jane, typed):
    body = {
        "contact_id": default_contact().pk,
        "email": typed,
        "message": "Refund me",
        "language": "en",
        "customer_ip": "198.51.100.7",
        "order_reference": "JANEORDER",
    }
    assert api.post("/contact-messages", body).status_code == 422
    assert not Thread.objects.exists()


@pytest.mark.parametrize("typed", LOOK_ALIKES)
def test_a_new_customer_is_not_linked_to_a_look_alike_addresss_threads(api, typed):
    thread = make_thread(email=typed)
    api.put("/customers/J1", {"email": "jane.kidd@hotmail.com", "language": "en"})
    assert Thread.objects.get(pk=thread.pk).customer_id is None


def test_the_customer_page_of_the_api_finds_threads_by_the_stored_form(api, jane):
    make_thread(email="Jane.Kidd@HOTMAIL.com", customer=jane)
    make_thread(email="jane.kidd@hotmaıl.com")
    found = api.get("/threads", email="JANE.KIDD@hotmail.com").json()["items"]
    assert [row["email"] for row in found] == ["jane.kidd@hotmail.com"]


def test_addresses_are_stored_in_their_one_form():
    employee = make_employee("Eve", email="  Eve.Smith@Shop.TEST ")
    customer = make_customer("Jane", email="Jane.Doe@Bücher.DE")
    thread = make_thread(email="Jane.Doe@Bücher.DE")
    assert Employee.objects.get(pk=employee.pk).email == "eve.smith@shop.test"
    assert Customer.objects.get(pk=customer.pk).email == "jane.doe@xn--bcher-kva.de"
    assert Thread.objects.get(pk=thread.pk).email == "jane.doe@xn--bcher-kva.de"
    assert customer.email == "jane.doe@xn--bcher-kva.de"
    assert Customer.objects.with_email("JANE.DOE@bücher.de").get() == customer
    assert Thread.objects.filter(email="JANE.doe@BÜCHER.de").count() == 0  # Ü is not folded


def _write_raw(table, pk, email):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET email = %s WHERE id = %s", [email, pk])  # noqa: S608


def test_the_data_migration_rewrites_the_addresses_written_before():
    customer = make_customer("Jane")
    thread = make_thread(email="jane@example.com")
    _write_raw("shop_customer", customer.pk, " Jane.Doe@Bücher.DE")
    _write_raw("threads_thread", thread.pk, "Jane.Doe@Example.COM")
    assert email_column_normalize(Customer) == []
    assert email_column_normalize(Thread) == []
    assert Customer.objects.values_list("email", flat=True).get() == "jane.doe@xn--bcher-kva.de"
    assert Thread.objects.values_list("email", flat=True).get() == "jane.doe@example.com"


def test_the_data_migration_leaves_an_employee_whose_form_is_taken_as_it_was(bob):
    eve = make_employee("Eve")
    _write_raw("staff_employee", eve.pk, "BOB@shop.test")
    assert email_column_normalize(Employee) == ["bob@shop.test"]
    assert Employee.objects.values_list("email", flat=True).get(pk=eve.pk) == "BOB@shop.test"
