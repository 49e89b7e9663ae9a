"""Employees' signatures, added to their replies in the thread's language.

An employee writes one per language (``Employee.signature``, on their account page); a reply in a
language they left blank gets the shop's default language's. ``{employee_first_name}`` and
``{shop_name}`` are filled by the variables' one allow-list substitution (``threads.variables``);
the signature form refuses any other ``{word}``, and one that would still be there is removed,
never sent as typed. A reply that already ends with (or contains) the signature, because the agent
pasted it, does not get it twice.
"""

from __future__ import annotations

from django.conf import settings

from comptoir.staff.models import Employee
from comptoir.threads.variables import variables_fill, variables_unfilled


def signature_render(*, employee: Employee, language: str) -> str:
    """The employee's signature for a reply in ``language``, variables filled ("" if none)."""
    written = employee.signature_in(language).strip()
    if not written:
        return ""
    values = {
        "employee_first_name": employee.first_name,
        "shop_name": settings.COMPTOIR_SHOP_NAME,
    }
    text = variables_fill(written, {k: v for k, v in values.items() if v.strip()}).text
    for left in variables_unfilled(text):
        text = text.replace(left, "")
    return text.strip()


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def signature_append(text: str, signature: str) -> str:
    """``text`` with ``signature`` after a blank line, unless it is already in it."""
    if not signature or _squeezed(signature) in _squeezed(text):
        return text
    return f"{text.rstrip()}\n\n{signature}"
