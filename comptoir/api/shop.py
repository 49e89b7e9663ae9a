"""/api/v1/customers, /orders, /order-states, /order-history: the shop's data, by its own ids.

Each resource has the same four operations: ``PUT /<resource>/{external_id}`` (create or replace
one row), ``GET /<resource>/{external_id}``, ``GET /<resource>`` (a page, with filters) and
``POST /<resource>/batch`` (up to 5,000 rows; good rows are written, the others reported one by
one). Re-sending the same data changes nothing: rows are named by ``external_id``.

No ``from __future__ import annotations`` here: the operations are built by a function, and
ninja reads their annotations as objects.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel, create_model

from comptoir.api.auth import READ, WRITE
from comptoir.api.errors import invalid, not_found
from comptoir.api.pagination import BY_CHANGE, BY_ID, ListQuery, Page, list_page
from comptoir.api.responses import errors_for
from comptoir.api.schemas import (
    CustomerOut,
    OrderHistoryOut,
    OrderOut,
    OrderStateOut,
)
from comptoir.lib.validation import FieldError
from comptoir.shop import services
from comptoir.shop.models import Customer, Order, OrderHistory, OrderState
from comptoir.shop.sync import (
    MAX_BATCH,
    CustomerData,
    CustomerIn,
    Moment,
    OrderData,
    OrderHistoryData,
    OrderHistoryIn,
    OrderIn,
    OrderStateData,
    OrderStateIn,
)
from comptoir.threads.services import threads_link_customers

router = Router(tags=["shop data"])


class RejectedOut(Schema):
    index: int
    external_id: str
    errors: list[dict[str, str]]


class BatchOut(Schema):
    created: int
    updated: int
    rejected: list[RejectedOut]


class CustomerFilters(ListQuery):
    email: str | None = Field(None, min_length=1)
    updated_since: Moment | None = Field(None, description="Changed since then, oldest first.")


class OrderFilters(ListQuery):
    customer: str | None = Field(None, min_length=1, description="external_id of the customer.")
    reference: str | None = Field(None, min_length=1)
    updated_since: Moment | None = Field(None, description="Changed since then, oldest first.")


class OrderHistoryFilters(ListQuery):
    order: str | None = Field(None, min_length=1, description="external_id of the order.")


def _batch_schema(name: str, row: type[BaseModel]) -> type[Schema]:
    """``{"items": [...]}``, documented as rows of ``row`` but read one row at a time, so that
    one bad row is reported instead of refusing the whole batch."""
    items = Field(
        min_length=1, max_length=MAX_BATCH, json_schema_extra={"items": row.model_json_schema()}
    )
    return create_model(name, __base__=Schema, items=(list[dict[str, Any]], items))


@dataclass(frozen=True)
class Resource:
    path: str
    noun: str
    data: type[BaseModel]
    row: type[BaseModel]
    out: type[Schema]
    filters: type[Schema]
    upsert: Callable[..., services.SyncReport]
    rows: Callable[[], QuerySet[Any]]
    filter_rows: Callable[[QuerySet[Any], Any], QuerySet[Any]]
    after: Callable[[services.SyncReport], None] | None = None


def _write(
    resource: Resource, rows: Sequence[dict[str, Any]], *, path_id: str | None = None
) -> services.SyncReport:
    """Validate and store ``rows``. ``path_id``: the one row's id as a PUT's path gives it, which
    must be the id as stored: the rows' text is trimmed (a batch's " C1 " is C1), and a PUT to
    /customers/C1%1D stored C1 then answered 404 for C1\x1d."""
    good, rejected = services.rows_validate(resource.row, rows)
    if path_id is not None and good and str(getattr(good[0][1], "external_id", "")) != path_id:
        message = _("An id cannot start or end with a space or a control character.")
        raise invalid([FieldError("external_id", message, "invalid")])
    report = resource.upsert(rows=good) if good else services.SyncReport()
    report.rejected = sorted([*rejected, *report.rejected], key=lambda r: r.index)
    if resource.after is not None:
        resource.after(report)
    return report


def _one(resource: Resource, external_id: str) -> Any:
    row = resource.rows().filter(external_id=external_id).first()
    if row is None:
        raise not_found()
    return row


def _register(resource: Resource) -> None:
    data_schema, out_schema, filters_schema = resource.data, resource.out, resource.filters
    batch_schema = _batch_schema(f"{resource.row.__name__[:-2]}BatchIn", resource.row)
    item = f"{resource.path}/{{external_id}}"

    def put(request: HttpRequest, external_id: str, payload: data_schema) -> Any:  # type: ignore[valid-type]
        row = {**payload.model_dump(), "external_id": external_id}  # type: ignore[attr-defined]
        report = _write(resource, [row], path_id=external_id)
        if report.rejected:
            errors = report.rejected[0].errors
            raise invalid(errors)
        status = 201 if report.created else 200
        return Status(status, _one(resource, external_id))

    def get(request: HttpRequest, external_id: str) -> Any:
        return _one(resource, external_id)

    def list_(request: HttpRequest, filters: Query[filters_schema]) -> Any:  # type: ignore[valid-type]
        rows = resource.filter_rows(resource.rows(), filters)
        since = getattr(filters, "updated_since", None)
        if since is not None:
            rows = rows.filter(updated_at__gte=since)
        return list_page(rows, keyset=BY_ID if since is None else BY_CHANGE, query=filters)

    def batch(request: HttpRequest, payload: batch_schema) -> Any:  # type: ignore[valid-type]
        report = _write(resource, payload.items)  # type: ignore[attr-defined]
        return {
            "created": report.created,
            "updated": report.updated,
            "rejected": [r.as_dict() for r in report.rejected],
        }

    noun = resource.noun
    put.__doc__ = f"Create or replace one {noun}, named by the shop's id."
    get.__doc__ = f"One {noun}, by the shop's id."
    list_.__doc__ = f"The {noun}s, by id; with ``updated_since``, by time of last change."
    batch.__doc__ = f"Create or replace up to {MAX_BATCH:,} {noun}s; bad rows are reported."
    slug = resource.path.strip("/").replace("-", "_")
    # The fixed paths first: "batch" must not be read as an external_id.
    router.post(
        f"{resource.path}/batch",
        response={200: BatchOut, **errors_for(WRITE)},
        auth=WRITE,
        operation_id=f"{slug}_batch",
    )(batch)
    router.get(
        resource.path,
        response={200: Page[out_schema], **errors_for(READ)},  # type: ignore[valid-type]
        auth=READ,
        operation_id=f"{slug}_list",
    )(list_)
    router.put(
        item,
        response={200: out_schema, 201: out_schema, **errors_for(WRITE)},
        auth=WRITE,
        operation_id=f"{slug}_put",
    )(put)
    router.get(
        item,
        response={200: out_schema, **errors_for(READ, 404)},
        auth=READ,
        operation_id=f"{slug}_get",
    )(get)


def _link_threads(report: services.SyncReport) -> None:
    threads_link_customers(customer_ids=list(report.ids.values()))


def _customer_rows(rows: QuerySet[Customer], f: CustomerFilters) -> QuerySet[Customer]:
    return rows & Customer.objects.with_email(f.email.strip()) if f.email else rows


def _order_rows(rows: QuerySet[Order], f: OrderFilters) -> QuerySet[Order]:
    if f.customer:
        rows = rows.filter(customer__external_id=f.customer)
    if f.reference:
        rows = rows.filter(reference=f.reference.strip())
    return rows


def _history_rows(rows: QuerySet[OrderHistory], f: OrderHistoryFilters) -> QuerySet[OrderHistory]:
    return rows.filter(order__external_id=f.order) if f.order else rows


RESOURCES = [
    Resource(
        path="/customers",
        noun="customer",
        data=CustomerData,
        row=CustomerIn,
        out=CustomerOut,
        filters=CustomerFilters,
        upsert=services.customers_upsert,
        rows=lambda: Customer.objects.all(),
        filter_rows=_customer_rows,
        after=_link_threads,
    ),
    Resource(
        path="/order-states",
        noun="order state",
        data=OrderStateData,
        row=OrderStateIn,
        out=OrderStateOut,
        filters=ListQuery,
        upsert=services.order_states_upsert,
        rows=lambda: OrderState.objects.all(),
        filter_rows=lambda rows, f: rows,
    ),
    Resource(
        path="/orders",
        noun="order",
        data=OrderData,
        row=OrderIn,
        out=OrderOut,
        filters=OrderFilters,
        upsert=services.orders_upsert,
        rows=lambda: Order.objects.select_related("customer", "current_state"),
        filter_rows=_order_rows,
    ),
    Resource(
        path="/order-history",
        noun="order status change",
        data=OrderHistoryData,
        row=OrderHistoryIn,
        out=OrderHistoryOut,
        filters=OrderHistoryFilters,
        upsert=services.order_history_upsert,
        rows=lambda: OrderHistory.objects.select_related("order", "state"),
        filter_rows=_history_rows,
    ),
]
for _resource in RESOURCES:
    _register(_resource)
