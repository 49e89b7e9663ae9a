"""Employees: the shop's team, who log in with their e-mail address."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.lib.addresses import AddressField
from comptoir.lib.i18n import localized


def _language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    ADMINISTRATOR = "admin", _("Administrator")


class EmployeeManager(BaseUserManager["Employee"]):
    def get_by_natural_key(self, username: str | None) -> Employee:
        """The employee with this address in its one stored form (never ``iexact``: see
        ``lib/addresses.py``)."""
        return self.get(email=username or "")

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> Employee:
        return self._create(email, password, Role.AGENT, extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> Employee:
        """What ``manage.py createsuperuser`` calls: an active administrator."""
        return self._create(email, password, Role.ADMINISTRATOR, extra)

    def _create(self, email: str, password: str | None, role: Role, extra: Any) -> Employee:
        # Through the service, so that every way in makes the same checks; a ValidationError
        # is what Django's commands turn into a plain error message.
        from comptoir.staff.services import EmployeeError, employee_create

        try:
            return employee_create(email=email, password=password, role=role, **extra)
        except EmployeeError as exc:
            raise ValidationError(str(exc)) from None


class Employee(AbstractBaseUser):
    email = AddressField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    language = models.CharField(_("language"), max_length=8, choices=_language_choices)
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.AGENT)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Added to the employee's replies in the thread's language: {"en": "...", "fr": "..."}.
    signature = models.JSONField(_("signature"), default=dict, blank=True)

    objects: ClassVar[EmployeeManager] = EmployeeManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    @property
    def short_name(self) -> str:
        """ "F. Lastname", as the thread list shows employees."""
        initial = f"{self.first_name[:1]}. " if self.first_name else ""
        return f"{initial}{self.last_name}".strip() or self.email

    def signature_in(self, language: str) -> str:
        """The signature in ``language``, else in the shop's default language (as written,
        variables not filled: ``threads.signatures`` does that)."""
        return localized(self.signature, language, settings.LANGUAGE_CODE)

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR


class LoginThrottle(models.Model):
    """Failed sign-ins counted for one account from one address, or (``email`` blank) for every
    account from one address: ``staff.throttle`` locks that pair, or that address, never an
    account for everyone. Administrators see and lift the locks on the Employees page; the
    worker deletes expired rows."""

    email = models.CharField(max_length=254, blank=True)
    address = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email", "address"], name="login_throttle_once")
        ]

    def __str__(self) -> str:
        return f"{self.email or '*'}@{self.address}={self.failures}"
