"""Employees: creating and managing the team (sign-in throttling: ``staff.throttle``).

Two rules protect the back office from locking itself out: an administrator cannot deactivate
or demote themself, and the last active administrator can never be deactivated or demoted.
The administrators' rows are locked while the rule is checked, so two administrators demoting
each other at the same moment cannot both succeed.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.lib.addresses import email_normalize
from comptoir.staff.accounts import employee_sessions_end
from comptoir.staff.models import Employee, Role


class EmployeeError(Exception):
    """A change to the team that is refused (the message says why, translated)."""


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


def employee_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: Role = Role.AGENT,
    language: str | None = None,
    password: str | None = None,
) -> Employee:
    """A new active employee; the one way in for the "Employees" page, ``createadmin``,
    ``createsuperuser`` (through the manager) and the demo.

    The e-mail address must be valid and not belong to another employee, in any letter case;
    the language one of the shop's (default: the shop's); the password must pass
    AUTH_PASSWORD_VALIDATORS. Without a password the employee cannot sign in (an unusable one).
    Raises :class:`EmployeeError`.
    """
    email = email_normalize(email)
    language = language or settings.LANGUAGE_CODE
    try:
        validate_email(email)
    except ValidationError as exc:
        raise EmployeeError(" ".join(exc.messages)) from None
    _check_language(language)
    if Employee.objects.filter(email=email).exists():
        raise EmployeeError(_("An employee with this e-mail address already exists."))
    employee = Employee(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=role,
        language=language,
    )
    if password is not None:
        try:
            password_validation.validate_password(password, user=employee)
        except ValidationError as exc:
            raise EmployeeError(" ".join(exc.messages)) from None
    employee.set_password(password)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives a failure
            employee.save(force_insert=True)
    except IntegrityError:  # created by someone else between the check and the insert
        raise EmployeeError(_("An employee with this e-mail address already exists.")) from None
    return employee


def password_generate() -> str:
    """A random password for a new employee, shown once to the administrator who adds them."""
    return secrets.token_urlsafe(12)


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
    """Deactivating ends the employee's access at once: their sessions are deleted, so that
    reactivating them later does not bring those sessions back. Their threads and messages are
    kept."""
    if not active:
        if employee.pk == actor.pk:
            raise EmployeeError(_("You cannot deactivate your own account."))
        _check_still_administered(employee)
    if employee.is_active != active:
        employee.is_active = active
        employee.save(update_fields=["is_active"])
    if not active:
        employee_sessions_end(employee=employee)  # staff/accounts.py
    return employee


def employee_set_language(*, employee: Employee, language: str) -> Employee:
    """An employee chooses the language of their back office and of the e-mails sent to them."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    employee.language = language
    employee.save(update_fields=["language"])
    return employee


def employee_signature_set(*, employee: Employee, signature: Mapping[str, str]) -> Employee:
    """An employee's signature per shop language (their own, or set by an administrator);
    blank languages are dropped, so the default language's signature is used for them."""
    languages = dict(settings.LANGUAGES)
    employee.signature = {
        code: text.replace("\r\n", "\n").strip()
        for code, text in signature.items()
        if code in languages and text.strip()
    }
    employee.save(update_fields=["signature"])
    return employee
