"""Accounts employees manage themselves: their password, a reset link when they forgot it, a reset
forced by an administrator, and the end of their sessions.

The reset link is Django's (``default_token_generator``): it is signed with the employee's
password hash and last login, so it works once, and it expires after ``PASSWORD_RESET_TIMEOUT``.
It is sent at once through Django's mail (``COMPTOIR_EMAIL_URL``), never through the outbox: the
outbox keeps every e-mail and shows it on the *Sent mail* page, and this one is a secret.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from email.utils import formataddr

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from comptoir.lib.addresses import email_normalize
from comptoir.staff.models import Employee

logger = logging.getLogger(__name__)

RESET_WINDOW = 60 * 60
RESET_PER_ADDRESS = 3  # links sent to one address in the window
RESET_PER_CLIENT = 10  # requests from one client address in the window


class AccountError(Exception):
    """A change to an account that is refused (the message says why, translated)."""


class ResetThrottled(Exception):
    """Too many reset requests from this client address: asked to wait."""


def employee_sessions_end(*, employee: Employee, keep: str | None = None) -> int:
    """Deletes the employee's sessions (Django's database sessions), all but the ``keep`` key;
    returns how many. Reads the sessions still valid, decoding each: they are few (the team's
    and visitors' of the last two weeks), and this runs only when an account changes."""
    store = SessionStore()
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.session_key != keep
        and str(store.decode(session.session_data).get(SESSION_KEY)) == str(employee.pk)
    ]
    for start in range(0, len(ended), 500):
        Session.objects.filter(session_key__in=ended[start : start + 500]).delete()
    return len(ended)


def _over(key: str, limit: int) -> bool:
    """Counts one more request under ``key``; True when it went over ``limit`` in the window."""
    cache.add(key, 0, RESET_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RESET_WINDOW)
        count = 1
    return count > limit


def password_reset_link(*, employee: Employee) -> str:
    uid = urlsafe_base64_encode(force_bytes(employee.pk))
    token = default_token_generator.make_token(employee)
    path = reverse("staff:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{settings.COMPTOIR_SITE_URL}{path}"


def password_reset_email_send(*, employee: Employee, forced_by: Employee | None = None) -> None:
    """Sends the employee a link to choose a new password, in their language (the template's
    first line is the subject, as for every e-mail comptoir writes)."""
    with translation.override(employee.language):
        subject, _blank, body = render_to_string(
            "staff/email/password_reset.txt",
            {
                "employee": employee,
                "forced_by": forced_by,
                "link": password_reset_link(employee=employee),
                "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
                "shop_name": settings.COMPTOIR_SHOP_NAME,
            },
        ).partition("\n")
    EmailMessage(
        subject=subject.strip(),
        body=body.lstrip("\n"),
        from_email=formataddr((settings.COMPTOIR_SHOP_NAME, settings.DEFAULT_FROM_EMAIL)),
        to=[formataddr((employee.full_name, employee.email))],
    ).send()


def password_reset_request(*, email: str, client_address: str) -> None:
    """ "Forgot password": sends a reset link when ``email`` is an active employee's address.

    Says nothing either way (the page answers the same for every address). Throttled: at most
    ``RESET_PER_ADDRESS`` links to one address an hour (beyond, nothing is sent, silently), and
    ``RESET_PER_CLIENT`` requests from one client address (beyond, :class:`ResetThrottled`).
    """
    address = email_normalize(email)
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    if _over(f"password-reset:client:{client_address}", RESET_PER_CLIENT):
        raise ResetThrottled
    if _over(f"password-reset:email:{digest}", RESET_PER_ADDRESS):
        return
    employee = Employee.objects.filter(email=address, is_active=True).first()
    if employee is None:
        return
    try:
        password_reset_email_send(employee=employee)
    except (OSError, smtplib.SMTPException) as exc:  # the page answers the same all the same
        logger.warning("password reset e-mail to employee %s not sent: %s", employee.pk, exc)


def employee_password_reset_force(*, actor: Employee, employee: Employee) -> Employee:
    """An administrator forces a reset: the employee's password stops working, their sessions
    end, and they get a link to choose a new one. Not for one's own account (use *My
    password*). The e-mail leaves after the change is saved; when it cannot be sent,
    :class:`AccountError` says so (the password stays reset)."""
    if employee.pk == actor.pk:
        raise AccountError(_("Change your own password on the My password page."))
    if not employee.is_active:
        raise AccountError(_("This employee is deactivated and cannot log in."))
    with transaction.atomic():
        employee.set_unusable_password()
        employee.save(update_fields=["password"])
        employee_sessions_end(employee=employee)
    try:
        password_reset_email_send(employee=employee, forced_by=actor)
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("password reset e-mail to employee %s not sent: %s", employee.pk, exc)
        raise AccountError(
            _("The password is reset, but the e-mail could not be sent: %(error)s") % {"error": exc}
        ) from None
    return employee
