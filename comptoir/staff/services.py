"""Employees: creation, login throttling."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from comptoir.staff.models import Employee, Role

LOGIN_FAILURE_LIMIT = 5
LOGIN_LOCK_SECONDS = 15 * 60


def employee_create(
    *,
    email: str,
    password: str | None,
    first_name: str,
    last_name: str,
    role: Role = Role.AGENT,
    language: str | None = None,
) -> Employee:
    with transaction.atomic():
        return Employee.objects.create_user(
            email,
            password,
            first_name=first_name,
            last_name=last_name,
            role=role,
            language=language or settings.LANGUAGE_CODE,
        )


def _failure_keys(email: str, ip: str) -> list[str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:email:{digest}", f"login-fail:ip:{ip}"]


def login_is_locked(*, email: str, ip: str) -> bool:
    """True after too many failures for this address, or from this IP (x4), in the lock window."""
    email_key, ip_key = _failure_keys(email, ip)
    email_failures: int = cache.get(email_key, 0)
    ip_failures: int = cache.get(ip_key, 0)
    return email_failures >= LOGIN_FAILURE_LIMIT or ip_failures >= LOGIN_FAILURE_LIMIT * 4


def login_record_failure(*, email: str, ip: str) -> None:
    for key in _failure_keys(email, ip):
        cache.add(key, 0, LOGIN_LOCK_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, LOGIN_LOCK_SECONDS)


def login_record_success(*, email: str, ip: str) -> None:
    cache.delete(_failure_keys(email, ip)[0])


def employee_set_language(*, employee: Employee, language: str) -> Employee:
    """An employee chooses the language of their back office and of the e-mails sent to them."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    employee.language = language
    employee.save(update_fields=["language"])
    return employee
