"""What the API answers: one schema per resource, read from the rows (``X.from_orm(row)``);
``resolve_*`` gives the fields that are not a column of the row.

The same schemas shape webhook payloads, so a thread in a webhook is the thread the API returns.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from ninja import Field, Schema

from comptoir.shop.models import Order, OrderHistory
from comptoir.threads.cc import cc_split
from comptoir.threads.models import Attachment, Message, OutboundEmail, Thread

StatusName = Literal["open", "closed", "pending1", "pending2"]


def _site(path: str) -> str:
    return f"{settings.COMPTOIR_SITE_URL}{path}"


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_name(obj: Attachment) -> str:
        return obj.original_name

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return _site(f"/api/v1/attachments/{obj.pk}")


class DeliveryOut(Schema):
    status: Literal["queued", "sending", "sent", "failed"]
    sent_at: datetime | None
    error: str

    @staticmethod
    def resolve_error(obj: OutboundEmail) -> str:
        return obj.last_error


class MessageOut(Schema):
    """Read from a message with ``attachments`` prefetched and ``outbound_email`` selected."""

    id: int
    author: Literal["customer", "employee"]
    employee_id: int | None
    text: str
    html: str
    quoted_text: str
    private: bool
    cc: list[str] = Field(description="Addresses copied on the e-mail.")
    source: Literal["form", "email", "desk", "order", "api"]
    is_auto_reply: bool
    created_at: datetime
    attachments: list[AttachmentOut]
    delivery: DeliveryOut | None

    @staticmethod
    def resolve_cc(obj: Message) -> list[str]:
        return cc_split(obj.cc)

    @staticmethod
    def resolve_attachments(obj: Message) -> list[Attachment]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_delivery(obj: Message) -> OutboundEmail | None:
        try:
            return obj.outbound_email
        except ObjectDoesNotExist:
            return None


class ThreadOut(Schema):
    """Read from a thread with ``customer`` and ``order`` selected."""

    id: int
    status: StatusName
    email: str
    language: str
    contact_id: int | None
    customer_id: int | None
    customer_external_id: str | None
    order_id: int | None
    order_reference: str | None
    product_reference: str
    assignee_id: int | None
    snoozed_until: datetime | None = Field(
        description="Set aside until then: out of the open views, back open and unread then."
    )
    is_unread: bool
    has_private_notes: bool
    message_count: int
    last_message_at: datetime
    last_message_excerpt: str
    last_message_from: Literal["customer", "employee", ""]
    last_customer_message_at: datetime | None
    last_employee_message_at: datetime | None
    created_at: datetime
    updated_at: datetime
    desk_url: str

    @staticmethod
    def resolve_customer_external_id(obj: Thread) -> str | None:
        return obj.customer.external_id if obj.customer else None

    @staticmethod
    def resolve_order_reference(obj: Thread) -> str | None:
        return obj.order.reference if obj.order else None

    @staticmethod
    def resolve_has_private_notes(obj: Thread) -> bool:
        return obj.has_private

    @staticmethod
    def resolve_desk_url(obj: Thread) -> str:
        return _site(f"/desk/threads/{obj.pk}/")


class ThreadDetailOut(ThreadOut):
    messages: list[MessageOut]

    @staticmethod
    def resolve_messages(obj: Thread) -> list[Message]:
        return thread_messages(obj)


def thread_messages(thread: Thread) -> list[Message]:
    """Every message of the thread, oldest first, with what ``MessageOut`` reads (3 queries)."""
    return list(
        thread.messages.select_related("outbound_email")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


class ContactOut(Schema):
    id: int
    name: dict[str, str]
    description: dict[str, str]
    email: str
    save_messages: bool
    position: int


class EmployeeOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: Literal["agent", "admin"]
    language: str
    is_active: bool


class CustomerOut(Schema):
    id: int
    external_id: str | None
    email: str
    first_name: str
    last_name: str
    is_guest: bool
    language: str
    created_at: datetime
    updated_at: datetime


class OrderStateOut(Schema):
    id: int
    external_id: str | None
    name: dict[str, str]
    color: str
    counts_as_valid: bool


class OrderOut(Schema):
    """Read from an order with ``customer`` and ``current_state`` selected."""

    id: int
    external_id: str | None
    reference: str
    customer_id: int
    customer: str | None
    created_at: datetime
    currency: str
    total_paid: Decimal
    total_paid_shop_currency: Decimal
    valid: bool
    language: str
    state: str | None
    updated_at: datetime

    @staticmethod
    def resolve_customer(obj: Order) -> str | None:
        return obj.customer.external_id

    @staticmethod
    def resolve_state(obj: Order) -> str | None:
        return obj.current_state.external_id if obj.current_state else None


class OrderHistoryOut(Schema):
    """Read from a status change with ``order`` and ``state`` selected."""

    id: int
    external_id: str | None
    order: str | None
    order_id: int
    state: str | None
    created_at: datetime

    @staticmethod
    def resolve_order(obj: OrderHistory) -> str | None:
        return obj.order.external_id

    @staticmethod
    def resolve_state(obj: OrderHistory) -> str | None:
        return obj.state.external_id
