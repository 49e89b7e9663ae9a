"""Two-factor login with TOTP (django-otp): an authenticator app's 6-digit code after the
password, or one of ten single-use recovery codes. Optional for each employee; required for
administrators when ``COMPTOIR_ADMIN_TWO_FACTOR`` is on.

The devices are django-otp's own (``TOTPDevice``, ``StaticDevice``), one of each per employee,
both named ``comptoir``; their throttling (a growing wait after each wrong code) is theirs too.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from comptoir.staff.models import Employee

DEVICE_NAME = "comptoir"
RECOVERY_CODES = 10


def two_factor_required(employee: Employee) -> bool:
    """Whether the employee must use two-factor login (administrators, when the shop says so)."""
    return bool(settings.COMPTOIR_ADMIN_TWO_FACTOR) and employee.is_administrator


def two_factor_device(employee: Employee) -> TOTPDevice | None:
    """The employee's confirmed authenticator, if they turned two-factor login on."""
    return TOTPDevice.objects.filter(user=employee, confirmed=True).first()


def two_factor_pending_device(employee: Employee) -> TOTPDevice:
    """The authenticator being set up (a new secret, not yet confirmed by a code)."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=employee, confirmed=False, defaults={"name": DEVICE_NAME}
    )
    return device


def two_factor_secret(device: TOTPDevice) -> str:
    """The secret in the base32 form authenticator apps ask for (grouped by 4 for reading)."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def two_factor_uri(device: TOTPDevice, employee: Employee) -> str:
    """The ``otpauth://`` address an app reads from a QR code or a link."""
    secret = two_factor_secret(device).replace(" ", "")
    issuer = quote(settings.COMPTOIR_SHOP_NAME)
    label = f"{issuer}:{quote(employee.email)}"
    return f"otpauth://totp/{label}?secret={secret}&issuer={issuer}&digits=6&period=30"


def _recovery_codes_renew(employee: Employee) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=employee, defaults={"name": DEVICE_NAME}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def two_factor_confirm(*, employee: Employee, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Turns two-factor login on when ``code`` is the app's current code for the pending
    secret: returns the device and the new recovery codes (shown once), else None."""
    device = two_factor_pending_device(employee)
    if not device.verify_token(code.replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=employee).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, _recovery_codes_renew(employee)


@transaction.atomic
def two_factor_verify(*, employee: Employee, code: str) -> Device | None:
    """The device that accepts ``code`` (the app's code, or a recovery code, used up), or None.
    Each device applies its own throttling."""
    code = code.strip().replace(" ", "")
    if code.isdigit():
        device: Device | None = two_factor_device(employee)
    else:
        device = StaticDevice.objects.filter(user=employee, confirmed=True).first()
    if device is None or not device.verify_is_allowed()[0]:
        return None
    return device if device.verify_token(code) else None


def recovery_codes_renew(*, employee: Employee) -> list[str]:
    """New recovery codes (the old ones stop working)."""
    with transaction.atomic():
        return _recovery_codes_renew(employee)


@transaction.atomic
def two_factor_turn_off(*, employee: Employee) -> None:
    """Removes the employee's authenticator and recovery codes."""
    TOTPDevice.objects.filter(user=employee).delete()
    StaticDevice.objects.filter(user=employee).delete()
