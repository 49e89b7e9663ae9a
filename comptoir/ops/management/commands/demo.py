"""``comptoir demo``: load the demo shop, its administrator and its agents, each with a password."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from comptoir import demo
from comptoir.demo.shop import EMPLOYEES
from comptoir.staff.models import Employee, Role
from comptoir.staff.services import EmployeeError


def demo_login_file() -> Path:
    """Where the demo logins are kept (one "e-mail password" a line), for ``comptoir run``."""
    return Path(settings.DATA_DIR) / "demo-login.txt"


class DemoLogin(NamedTuple):
    email: str
    password: str
    role: str  # "administrator" or "agent"


def demo_logins() -> list[DemoLogin]:
    """The kept demo logins whose employee still exists, the administrator first."""
    login_file = demo_login_file()
    if not login_file.exists():
        return []
    pairs = [line.split(" ", 1) for line in login_file.read_text().splitlines() if " " in line]
    roles = dict(
        Employee.objects.filter(email__in=[email for email, _password in pairs]).values_list(
            "email", "role"
        )
    )
    return [
        DemoLogin(
            email, password, "administrator" if roles[email] == Role.ADMINISTRATOR else "agent"
        )
        for email, password in pairs
        if email in roles
    ]


class Command(BaseCommand):
    help = "Load the demo shop, its administrator and agents; prints their logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="add the demo data to a database with employees"
        )

    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if Employee.objects.exists() and not force:
            raise CommandError("the database already has employees; use --force to add demo data.")
        # EMPLOYEES lists the administrator first.
        passwords = {email: secrets.token_urlsafe(9) for email, *_rest in EMPLOYEES}
        try:
            summary = demo.demo_load(
                admin_password=passwords[demo.DEMO_ADMIN_EMAIL], agent_passwords=passwords
            )
        except (IntegrityError, EmployeeError):
            raise CommandError("the demo shop is already loaded.") from None
        login_file = demo_login_file()
        login_file.write_text(
            "".join(f"{email} {password}\n" for email, password in passwords.items())
        )
        login_file.chmod(0o600)
        self.stdout.write(f"demo data loaded in {settings.DATA_DIR}: {summary}. Log in as:")
        for login in demo_logins():
            self.stdout.write(f"  {login.email} / {login.password}  ({login.role})")
