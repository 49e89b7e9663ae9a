"""One form of each e-mail address, stored and compared the same way on every database.

The rule, defined here only:

- surrounding white space is removed;
- the domain (after the last ``@``) has its ASCII letters lower-cased; a label with other
  characters is written in its IDNA ASCII form (``xn--…``) when it is already in the form IDNA
  would give it, and is otherwise kept as typed (never mapped or folded);
- the local part (before the last ``@``) keeps every character as typed, except the ASCII letters
  ``A``–``Z``, which are lower-cased.

No Unicode case folding is applied anywhere: ``ı`` (dotless i), ``ſ`` (long s), ``K`` (Kelvin
sign) or ``İ`` stay what they are, so ``admın@shop.test`` is not ``admin@shop.test``. Python's
``str.lower()``, PostgreSQL's ``UPPER()`` and MariaDB's ``_ci`` collations all fold some of them
onto ASCII letters, which is why addresses are compared only in this stored form, exactly, and why
:class:`AddressField` has a binary collation on MariaDB.
"""

from __future__ import annotations

from encodings import idna
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

# MariaDB and MySQL compare with the column's collation: a binary one compares the stored bytes.
MYSQL_COLLATION = "utf8mb4_bin"


def _label_ascii(label: str) -> str | None:
    """The IDNA ASCII form of a label that IDNA would not change before encoding, else None."""
    try:
        if idna.nameprep(label) != label:  # it would be mapped, folded or normalised: refused
            return None
        return idna.ToASCII(label).decode("ascii")
    except UnicodeError:
        return None


def _domain_normalize(domain: str) -> str:
    lowered = domain.translate(_ASCII_LOWER)
    if lowered.isascii():
        return lowered
    labels = lowered.split(".")
    encoded = [label if label.isascii() else _label_ascii(label) for label in labels]
    if any(label is None for label in encoded):
        return lowered
    return ".".join(label for label in encoded if label is not None)


def email_normalize(address: str) -> str:
    """The one stored and compared form of an e-mail address (the rule is in this module's
    docstring). Total: any string gets a form, valid or not; validation is the caller's."""
    address = address.strip()
    local, at, domain = address.rpartition("@")
    if not at:
        return address.translate(_ASCII_LOWER)
    return f"{local.translate(_ASCII_LOWER)}@{_domain_normalize(domain)}"


if TYPE_CHECKING:
    _EmailField = models.EmailField[str, str]
else:
    _EmailField = models.EmailField


class AddressField(_EmailField):
    """An ``EmailField`` that saves and looks up its value in the :func:`email_normalize` form.

    ``filter(email=…)`` and ``filter(email__in=…)`` normalise the value they compare with; a
    saved instance holds the normalised form. Never compare these columns with ``iexact``.
    """

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return email_normalize(value) if isinstance(value, str) else value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = email_normalize(value)
            setattr(model_instance, self.attname, value)
        return value

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        parameters: dict[str, Any] = super().db_parameters(connection)
        if connection.vendor == "mysql":
            parameters["collation"] = MYSQL_COLLATION
        return parameters


def email_column_normalize(model: type[models.Model], field: str = "email") -> list[str]:
    """Rewrites a column's addresses in their one form (the data migrations of issue 17).

    On a unique column, a row whose form is already another row's keeps its value as it was
    (it could not be saved); those values are returned, for the migration to report.
    """
    manager = model._default_manager
    unique = bool(getattr(model._meta.get_field(field), "unique", False))
    changes = [
        (pk, normalized)
        for pk, value in manager.order_by("pk").values_list("pk", field).iterator(chunk_size=2000)
        if isinstance(value, str) and (normalized := email_normalize(value)) != value
    ]
    kept: list[str] = []
    for pk, normalized in changes:
        if unique and manager.filter(**{field: normalized}).exclude(pk=pk).exists():
            kept.append(normalized)
            continue
        manager.filter(pk=pk).update(**{field: normalized})
    return kept
