"""Django's `createsuperuser` makes an active administrator, asked in a terminal or from the
DJANGO_SUPERUSER_* variables, through the same checks as the "Employees" page."""

from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from comptoir.staff.models import Employee, Role

pytestmark = pytest.mark.django_db


class MockTTY(StringIO):
    """A stdin that says it is a terminal, as in Django's own tests of the command."""

    def isatty(self) -> bool:
        return True


def test_it_asks_in_a_terminal_and_creates_an_active_administrator():
    answers = iter(["Dana.Admin@Shop.test", "Dana", "Admin"])
    with (
        mock.patch("builtins.input", side_effect=answers),
        mock.patch("getpass.getpass", return_value="a long and unusual passphrase"),
    ):
        call_command("createsuperuser", stdin=MockTTY(), stdout=StringIO(), stderr=StringIO())
    dana = Employee.objects.get()
    assert dana.email == "dana.admin@shop.test"
    assert (dana.first_name, dana.last_name) == ("Dana", "Admin")
    assert dana.role == Role.ADMINISTRATOR
    assert dana.is_active
    assert dana.check_password("a long and unusual passphrase")


def test_it_reads_the_django_superuser_variables_with_noinput(monkeypatch, settings):
    settings.LANGUAGE_CODE = "fr"
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "dana@shop.test")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long and unusual passphrase")
    monkeypatch.setenv("DJANGO_SUPERUSER_FIRST_NAME", "Dana")
    monkeypatch.setenv("DJANGO_SUPERUSER_LAST_NAME", "Admin")
    out = StringIO()
    call_command("createsuperuser", interactive=False, stdout=out)
    assert "Superuser created successfully." in out.getvalue()
    dana = Employee.objects.get(email="dana@shop.test")
    assert dana.is_administrator
    assert dana.is_active
    assert dana.language == "fr"
    assert dana.check_password("a long and unusual passphrase")


def test_it_refuses_a_password_the_employees_page_refuses(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "short")
    with pytest.raises(CommandError, match="too short"):
        call_command(
            "createsuperuser",
            interactive=False,
            email="dana@shop.test",
            first_name="Dana",
            last_name="Admin",
            stdout=StringIO(),
        )
    assert not Employee.objects.exists()
