"""Keeping the shop's data in step: upserts by the shop's own ids, a batch at a time.

Every function takes rows already shaped by ``shop.sync`` (with their position in the batch, for
the report), checks what a schema cannot (references to other rows, the shop-currency total),
writes the good rows in one statement per table and reports the others. Running the same batch
twice changes nothing the second time: rows are named by ``external_id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel
from pydantic import ValidationError as SchemaError

from comptoir.lib.validation import FieldError, field_errors
from comptoir.shop.models import Customer, Order, OrderHistory, OrderState
from comptoir.shop.sync import CustomerIn, OrderHistoryIn, OrderIn, OrderStateIn

RowT = TypeVar("RowT", bound=BaseModel)
ModelT = TypeVar("ModelT", bound=models.Model)
_CHUNK = 1000


@dataclass(frozen=True)
class Rejected:
    """A row that was not written: its position in the batch, its id when it had one, why."""

    index: int
    external_id: str
    errors: list[FieldError]

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "external_id": self.external_id,
            "errors": [error.as_dict() for error in self.errors],
        }


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    # external_id -> primary key of every row written.
    ids: dict[str, int] = field(default_factory=dict)

    def add(self, other: SyncReport) -> None:
        self.created += other.created
        self.updated += other.updated
        self.rejected += other.rejected
        self.ids.update(other.ids)


def _nul_fields(value: Any, path: str = "") -> list[str]:
    """The fields of a raw row whose text holds a NUL character (no database stores one;
    PostgreSQL refuses the whole statement, and the batch with it)."""
    if isinstance(value, str):
        return [path or "row"] if "\x00" in value else []
    if isinstance(value, Mapping):
        found = []
        for key, item in value.items():
            found += _nul_fields(item, f"{path}.{key}" if path else str(key))
        return found
    return []


def rows_validate(
    schema: type[RowT], rows: Sequence[Mapping[str, Any] | FieldError], *, start: int = 0
) -> tuple[list[tuple[int, RowT]], list[Rejected]]:
    """Shape each raw row with ``schema``; a shop id seen twice in one batch is refused the
    second time (which of the two should win is not ours to guess). A ``FieldError`` in place
    of a row is a row its reader could not read (a CSV line), refused with that error."""
    good: list[tuple[int, RowT]] = []
    rejected: list[Rejected] = []
    seen: set[str] = set()
    for offset, raw in enumerate(rows):
        index = start + offset
        if isinstance(raw, FieldError):
            rejected.append(Rejected(index, "", [raw]))
            continue
        raw_id = raw.get("external_id", "") if isinstance(raw, Mapping) else ""
        nul = _nul_fields(raw)
        if nul:
            message = _("Null characters are not allowed.")
            errors = [FieldError(name, message, "null_character") for name in nul]
            rejected.append(Rejected(index, str(raw_id).replace("\x00", "")[:64], errors))
            continue
        try:
            row = schema.model_validate(raw)
        except SchemaError as exc:
            rejected.append(Rejected(index, str(raw_id)[:64], field_errors(exc.errors())))
            continue
        external_id = str(getattr(row, "external_id", ""))
        if external_id in seen:
            message = _("This id appears more than once in the batch.")
            rejected.append(
                Rejected(index, external_id, [FieldError("external_id", message, "duplicate")])
            )
            continue
        seen.add(external_id)
        good.append((index, row))
    return good, rejected


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _ids_of(model: type[models.Model], external_ids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(external_ids))
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        found.update(
            model._default_manager.filter(external_id__in=chunk).values_list("external_id", "pk")
        )
    return found


def _upsert(
    model: type[ModelT], objects: list[ModelT], update_fields: list[str], report: SyncReport
) -> None:
    """Insert or update ``objects`` by ``external_id``, counting which were new."""
    if not objects:
        return
    existing = _ids_of(model, (str(getattr(obj, "external_id", "")) for obj in objects))
    # MySQL/MariaDB's ON DUPLICATE KEY takes no conflict target: any unique key triggers it.
    target = ["external_id"] if connection.features.supports_update_conflicts_with_target else None
    now = timezone.now()
    for obj in objects:
        if hasattr(obj, "updated_at"):
            obj.updated_at = now
    model._default_manager.bulk_create(
        objects,
        batch_size=500,
        update_conflicts=True,
        unique_fields=target,
        update_fields=update_fields,
    )
    report.updated += len(existing)
    report.created += len(objects) - len(existing)
    report.ids.update(_ids_of(model, (str(getattr(obj, "external_id", "")) for obj in objects)))


def _reject(report: SyncReport, index: int, external_id: str, name: str, message: str) -> None:
    report.rejected.append(Rejected(index, external_id, [FieldError(name, message, "invalid")]))


@transaction.atomic
def customers_upsert(*, rows: Sequence[tuple[int, CustomerIn]]) -> SyncReport:
    report = SyncReport()
    known = {
        external_id: created
        for chunk in _chunks([row.external_id for _i, row in rows])
        for external_id, created in Customer.objects.filter(external_id__in=chunk).values_list(
            "external_id", "created_at"
        )
    }
    now = timezone.now()
    objects = [
        Customer(
            external_id=row.external_id,
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            is_guest=row.is_guest,
            language=row.language or settings.LANGUAGE_CODE,
            created_at=row.created_at or known.get(row.external_id) or now,
        ).names_fold()
        for _index, row in rows
    ]
    fields = ["email", "first_name", "last_name", "name_folded", "is_guest", "language"]
    fields.append("created_at")
    _upsert(Customer, objects, [*fields, "updated_at"], report)
    return report


@transaction.atomic
def order_states_upsert(*, rows: Sequence[tuple[int, OrderStateIn]]) -> SyncReport:
    report = SyncReport()
    objects = [
        OrderState(
            external_id=row.external_id,
            name=row.name,
            color=row.color.lower(),
            counts_as_valid=row.counts_as_valid,
        )
        for _index, row in rows
    ]
    _upsert(OrderState, objects, ["name", "color", "counts_as_valid"], report)
    return report


@transaction.atomic
def orders_upsert(*, rows: Sequence[tuple[int, OrderIn]]) -> SyncReport:
    report = SyncReport()
    customers = _ids_of(Customer, (row.customer for _i, row in rows))
    states = _ids_of(OrderState, (row.state for _i, row in rows if row.state))
    objects = []
    for index, row in rows:
        if row.customer not in customers:
            message = _("Unknown customer %(id)s: send the customer first.") % {"id": row.customer}
            _reject(report, index, row.external_id, "customer", message)
            continue
        if row.state and row.state not in states:
            message = _("Unknown order state %(id)s: send the state first.") % {"id": row.state}
            _reject(report, index, row.external_id, "state", message)
            continue
        shop_total = row.shop_total()
        if shop_total is None:
            message = _("Required when the currency is not the shop's (%(currency)s).") % {
                "currency": settings.COMPTOIR_CURRENCY
            }
            _reject(report, index, row.external_id, "total_paid_shop_currency", message)
            continue
        objects.append(
            Order(
                external_id=row.external_id,
                reference=row.reference,
                customer_id=customers[row.customer],
                created_at=row.created_at,
                currency=row.currency,
                total_paid=row.total_paid,
                total_paid_shop_currency=shop_total,
                valid=row.valid,
                language=row.language or settings.LANGUAGE_CODE,
                current_state_id=states.get(row.state or ""),
            )
        )
    fields = ["reference", "customer", "created_at", "currency", "total_paid"]
    fields += ["total_paid_shop_currency", "valid", "language", "current_state", "updated_at"]
    _upsert(Order, objects, fields, report)
    return report


@transaction.atomic
def order_history_upsert(*, rows: Sequence[tuple[int, OrderHistoryIn]]) -> SyncReport:
    """Status changes of orders; each order's current state follows its latest change."""
    report = SyncReport()
    orders = _ids_of(Order, (row.order for _i, row in rows))
    states = _ids_of(OrderState, (row.state for _i, row in rows))
    objects = []
    for index, row in rows:
        if row.order not in orders:
            message = _("Unknown order %(id)s: send the order first.") % {"id": row.order}
            _reject(report, index, row.external_id, "order", message)
        elif row.state not in states:
            message = _("Unknown order state %(id)s: send the state first.") % {"id": row.state}
            _reject(report, index, row.external_id, "state", message)
        else:
            objects.append(
                OrderHistory(
                    external_id=row.external_id,
                    order_id=orders[row.order],
                    state_id=states[row.state],
                    created_at=row.created_at,
                )
            )
    _upsert(OrderHistory, objects, ["order", "state", "created_at"], report)
    _orders_follow_history({obj.order_id for obj in objects})
    return report


def _orders_follow_history(order_ids: set[int]) -> None:
    latest: dict[int, int] = {}
    for chunk in _chunks(sorted(order_ids)):
        changes = OrderHistory.objects.filter(order_id__in=chunk).order_by("created_at", "id")
        latest.update(changes.values_list("order_id", "state_id"))  # the last one wins
    by_state: dict[int, list[int]] = {}
    for order_id, state_id in latest.items():
        by_state.setdefault(state_id, []).append(order_id)
    now = timezone.now()
    for state_id, ids in by_state.items():  # one statement per state: a shop has a dozen
        for chunk in _chunks(ids):
            Order.objects.filter(pk__in=chunk).exclude(current_state_id=state_id).update(
                current_state_id=state_id, updated_at=now
            )
