"""``comptoir demo``: load the demo shop and create the demo administrator."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from comptoir import demo
from comptoir.staff.models import Employee
from comptoir.staff.services import EmployeeError


def demo_login_file() -> Path:
    """Where the demo administrator's login is kept, for ``comptoir run`` to show it."""
    return Path(settings.DATA_DIR) / "demo-login.txt"


class Command(BaseCommand):
    help = "Load the demo shop and create the demo administrator; prints the login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="add the demo data to a database with employees"
        )

    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if Employee.objects.exists() and not force:
            raise CommandError("the database already has employees; use --force to add demo data.")
        password = secrets.token_urlsafe(9)
        try:
            summary = demo.demo_load(admin_password=password)
        except (IntegrityError, EmployeeError):
            raise CommandError("the demo shop is already loaded.") from None
        login_file = demo_login_file()
        login_file.write_text(f"{demo.DEMO_ADMIN_EMAIL}\n{password}\n")
        login_file.chmod(0o600)
        self.stdout.write(
            f"demo data loaded in {settings.DATA_DIR}: {summary}. "
            f"Log in as {demo.DEMO_ADMIN_EMAIL} / {password}"
        )
