"""`comptoir createadmin`: an administrator, refused for what the "Employees" page refuses."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comptoir.staff.models import Employee, Role

pytestmark = pytest.mark.django_db

PASSPHRASE = "a long and unusual passphrase"


def createadmin(**options: str) -> str:
    out = StringIO()
    call_command("createadmin", stdout=out, **options)
    return out.getvalue()


def test_it_creates_an_active_administrator_in_the_shop_language(settings):
    settings.LANGUAGE_CODE = "es"
    out = createadmin(email="Dana@Shop.test", first_name="Dana", password=PASSPHRASE)
    assert out == "administrator dana@shop.test created\n"
    dana = Employee.objects.get()
    assert dana.role == Role.ADMINISTRATOR
    assert dana.is_active
    assert dana.language == "es"
    assert dana.check_password(PASSPHRASE)


def test_it_reads_the_password_from_comptoir_admin_password(monkeypatch):
    monkeypatch.setenv("COMPTOIR_ADMIN_PASSWORD", PASSPHRASE)
    createadmin(email="dana@shop.test")
    assert Employee.objects.get().check_password(PASSPHRASE)


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"password": "short"}, "too short"),
        ({"password": "password123"}, "too common"),
        ({"email": "not-an-address"}, "valid email address"),
        ({"email": "BOB@shop.test"}, "already exists"),
        ({"language": "de"}, "Choose one of the shop's languages."),
    ],
)
def test_it_refuses_what_the_employees_page_refuses(bob, options, says):
    values = {"email": "dana@shop.test", "password": PASSPHRASE, **options}
    with pytest.raises(CommandError, match=says) as refused:
        createadmin(**values)
    assert refused.value.returncode == 2
    assert Employee.objects.count() == 1  # bob
