"""``comptoir createadmin``: an administrator, with the checks of the "Employees" page."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.staff.models import Role
from comptoir.staff.services import EmployeeError, employee_create


class Command(BaseCommand):
    help = "Create an administrator (password asked, or COMPTOIR_ADMIN_PASSWORD)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", default="Admin")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--language", default=None, help="default: COMPTOIR_LANGUAGE")
        parser.add_argument("--password", help="default: asked, or COMPTOIR_ADMIN_PASSWORD")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or os.environ.get("COMPTOIR_ADMIN_PASSWORD")
        if not password:
            password = getpass.getpass("Password: ")
        try:
            employee = employee_create(
                email=options["email"],
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
                role=Role.ADMINISTRATOR,
                language=options["language"],
            )
        except EmployeeError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(f"administrator {employee.email} created")
