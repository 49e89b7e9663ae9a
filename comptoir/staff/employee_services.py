"""Managing the team: add, edit and (de)activate employees.

Two rules protect the back office from locking itself out: an administrator cannot deactivate
or demote themself, and the last active administrator can never be deactivated or demoted.
The administrators' rows are locked while the rule is checked, so two administrators demoting
each other at the same moment cannot both succeed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.staff.models import Employee, Role
from comptoir.staff.services import employee_create


class EmployeeError(Exception):
    """A change to the team that is refused (the message says why, translated)."""


@dataclass(frozen=True)
class NewEmployee:
    employee: Employee
    # The password comptoir chose, to show once; empty when the administrator typed one.
    generated_password: str


def _check_language(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise EmployeeError(_("Choose one of the shop's languages."))


def _other_active_administrators_locked(employee: Employee) -> int:
    """How many other active administrators there are, with their rows locked."""
    return len(
        Employee.objects.select_for_update()
        .filter(role=Role.ADMINISTRATOR, is_active=True)
        .exclude(pk=employee.pk)
        .values_list("pk", flat=True)
    )


def _check_still_administered(employee: Employee) -> None:
    if not (employee.is_administrator and employee.is_active):
        return
    if _other_active_administrators_locked(employee) == 0:
        raise EmployeeError(
            _(
                "%(name)s is the last active administrator: the shop needs at least one. "
                "Make another employee an administrator first."
            )
            % {"name": employee.full_name}
        )


@transaction.atomic
def employee_add(
    *,
    email: str,
    first_name: str,
    last_name: str,
    language: str,
    role: Role,
    password: str | None = None,
) -> NewEmployee:
    """A new active employee. A blank password means: generate one (returned, to show once).

    A chosen password must pass AUTH_PASSWORD_VALIDATORS; the e-mail address must not belong to
    another employee, in any letter case.
    """
    email = email.strip().lower()
    _check_language(language)
    if Employee.objects.filter(email__iexact=email).exists():
        raise EmployeeError(_("An employee with this e-mail address already exists."))
    generated = ""
    if not password:
        generated = password = secrets.token_urlsafe(12)
    else:
        candidate = Employee(email=email, first_name=first_name, last_name=last_name)
        try:
            password_validation.validate_password(password, user=candidate)
        except ValidationError as exc:
            raise EmployeeError(" ".join(exc.messages)) from None
    try:  # employee_create runs in its own savepoint: this transaction survives a failure
        employee = employee_create(
            email=email,
            password=password,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            role=role,
            language=language,
        )
    except IntegrityError:  # created by someone else between the check and the insert
        raise EmployeeError(_("An employee with this e-mail address already exists.")) from None
    return NewEmployee(employee=employee, generated_password=generated)


@transaction.atomic
def employee_update(
    *,
    actor: Employee,
    employee: Employee,
    first_name: str,
    last_name: str,
    language: str,
    role: Role,
) -> Employee:
    """Name, language and role. Demoting oneself or the last active administrator is refused."""
    _check_language(language)
    if employee.is_administrator and role != Role.ADMINISTRATOR:
        if employee.pk == actor.pk:
            raise EmployeeError(_("You cannot remove your own administrator role."))
        _check_still_administered(employee)
    employee.first_name = first_name.strip()
    employee.last_name = last_name.strip()
    employee.language = language
    employee.role = role
    employee.save(update_fields=["first_name", "last_name", "language", "role"])
    return employee


@transaction.atomic
def employee_set_active(*, actor: Employee, employee: Employee, active: bool) -> Employee:
    """Deactivating ends the employee's access at their next request (their sessions stay
    in the database but no longer authenticate); their threads and messages are kept."""
    if not active:
        if employee.pk == actor.pk:
            raise EmployeeError(_("You cannot deactivate your own account."))
        _check_still_administered(employee)
    if employee.is_active != active:
        employee.is_active = active
        employee.save(update_fields=["is_active"])
    return employee
