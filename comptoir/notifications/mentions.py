"""``@name`` in a private note: who is meant.

An employee is mentioned as ``@firstname.lastname`` (spaces inside a name left out), or as
``@firstname`` when no other active employee has that first name. Case and accents do not
matter (``@helene`` is Hélène); a word glued before the ``@`` (an e-mail address) is not a
mention. Pure: the employees to match against are given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from comptoir.lib.fold import fold
from comptoir.staff.models import Employee

MENTION = re.compile(r"(?<![\w@.])@(\w[\w.'-]*)")


def mention_handle(employee: Employee) -> str:
    """How to mention ``employee`` in full: ``@marie.dupont``."""
    first = "".join(employee.first_name.split())
    last = "".join(employee.last_name.split())
    return f"{first}.{last}" if first and last else first or last


def mentioned(text: str, employees: Iterable[Employee]) -> list[Employee]:
    """The employees ``text`` mentions, each once, in the order of their first mention."""
    words = [fold(word.rstrip(".'-")) for word in MENTION.findall(text)]
    if not words:
        return []
    everyone = list(employees)
    by_handle = {fold(mention_handle(e)): e for e in everyone}
    by_first: dict[str, list[Employee]] = {}
    for employee in everyone:
        by_first.setdefault(fold("".join(employee.first_name.split())), []).append(employee)
    found: dict[int, Employee] = {}
    for word in words:
        candidates = [by_handle[word]] if word in by_handle else by_first.get(word, [])
        if len(candidates) == 1:
            found.setdefault(candidates[0].pk, candidates[0])
    return list(found.values())
