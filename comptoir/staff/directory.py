"""The team as the back office's pages show it: the active employees (the forms' choices, and
the names on most rows), and former employees by id for the rows they left behind."""

from __future__ import annotations

from collections.abc import Iterable

from comptoir.staff.models import Employee


def active_employees() -> list[Employee]:
    """Everyone who can be chosen in a form, by name."""
    return list(Employee.objects.filter(is_active=True).order_by("last_name", "first_name", "id"))


def employees_by_pk(pks: Iterable[int | None], known: Iterable[Employee]) -> dict[int, Employee]:
    """The employees with these ids, from ``known`` (the page's list of active employees) and,
    for former employees, one query."""
    found = {employee.pk: employee for employee in known}
    missing = {pk for pk in pks if pk is not None} - found.keys()
    if missing:
        found.update(Employee.objects.in_bulk(missing))
    return found
