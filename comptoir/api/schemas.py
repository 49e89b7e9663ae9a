"""What the API answers: one schema per resource, built from the rows the pages use too.

The same functions shape webhook payloads, so a thread in a webhook is the thread the API returns.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from ninja import Schema

from comptoir.shop.models import Customer, Order, OrderHistory, OrderState
from comptoir.staff.models import Employee
from comptoir.threads.models import Attachment, Contact, Message, Thread

StatusName = Literal["open", "closed", "pending1", "pending2"]


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class DeliveryOut(Schema):
    status: Literal["queued", "sending", "sent", "failed"]
    sent_at: datetime | None
    error: str


class MessageOut(Schema):
    id: int
    author: Literal["customer", "employee"]
    employee_id: int | None
    text: str
    html: str
    quoted_text: str
    private: bool
    source: Literal["form", "email", "desk", "order", "api"]
    is_auto_reply: bool
    created_at: datetime
    attachments: list[AttachmentOut]
    delivery: DeliveryOut | None


class ThreadOut(Schema):
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


class ThreadDetailOut(ThreadOut):
    messages: list[MessageOut]


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


class OrderHistoryOut(Schema):
    id: int
    external_id: str | None
    order: str | None
    order_id: int
    state: str | None
    created_at: datetime


def _site(path: str) -> str:
    return f"{settings.COMPTOIR_SITE_URL}{path}"


def attachment_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.pk,
        name=attachment.original_name,
        content_type=attachment.content_type,
        size=attachment.size,
        url=_site(f"/api/v1/attachments/{attachment.pk}"),
    )


def message_out(message: Message) -> MessageOut:
    """``message`` with ``attachments`` prefetched and ``outbound_email`` selected."""
    try:
        email = message.outbound_email
    except ObjectDoesNotExist:
        email = None
    delivery = (
        DeliveryOut(status=email.status, sent_at=email.sent_at, error=email.last_error)  # type: ignore[arg-type]
        if email is not None
        else None
    )
    return MessageOut(
        id=message.pk,
        author=message.author,  # type: ignore[arg-type]
        employee_id=message.employee_id,
        text=message.text,
        html=message.html,
        quoted_text=message.quoted_text,
        private=message.private,
        source=message.source,  # type: ignore[arg-type]
        is_auto_reply=message.is_auto_reply,
        created_at=message.created_at,
        attachments=[attachment_out(a) for a in message.attachments.all()],
        delivery=delivery,
    )


def thread_out(thread: Thread) -> ThreadOut:
    """``thread`` with ``customer`` and ``order`` selected."""
    return ThreadOut.model_validate(_thread_fields(thread))


def thread_detail_out(thread: Thread, messages: list[Message]) -> ThreadDetailOut:
    fields = _thread_fields(thread)
    return ThreadDetailOut.model_validate(
        {**fields, "messages": [message_out(m) for m in messages]}
    )


def _thread_fields(thread: Thread) -> dict[str, object]:
    return {
        "id": thread.pk,
        "status": thread.status,
        "email": thread.email,
        "language": thread.language,
        "contact_id": thread.contact_id,
        "customer_id": thread.customer_id,
        "customer_external_id": thread.customer.external_id if thread.customer else None,
        "order_id": thread.order_id,
        "order_reference": thread.order.reference if thread.order else None,
        "product_reference": thread.product_reference,
        "assignee_id": thread.assignee_id,
        "is_unread": thread.is_unread,
        "has_private_notes": thread.has_private,
        "message_count": thread.message_count,
        "last_message_at": thread.last_message_at,
        "last_message_excerpt": thread.last_message_excerpt,
        "last_message_from": thread.last_message_from,
        "last_customer_message_at": thread.last_customer_message_at,
        "last_employee_message_at": thread.last_employee_message_at,
        "created_at": thread.created_at,
        "updated_at": thread.updated_at,
        "desk_url": _site(f"/desk/threads/{thread.pk}/"),
    }


def thread_messages(thread: Thread) -> list[Message]:
    """Every message of the thread, oldest first, with what ``message_out`` reads (3 queries)."""
    return list(
        thread.messages.select_related("outbound_email")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def contact_out(contact: Contact) -> ContactOut:
    return ContactOut(
        id=contact.pk,
        name=contact.name,
        description=contact.description,
        email=contact.email,
        save_messages=contact.save_messages,
        position=contact.position,
    )


def employee_out(employee: Employee) -> EmployeeOut:
    return EmployeeOut(
        id=employee.pk,
        email=employee.email,
        first_name=employee.first_name,
        last_name=employee.last_name,
        role=employee.role,  # type: ignore[arg-type]
        language=employee.language,
        is_active=employee.is_active,
    )


def customer_out(customer: Customer) -> CustomerOut:
    return CustomerOut(
        id=customer.pk,
        external_id=customer.external_id,
        email=customer.email,
        first_name=customer.first_name,
        last_name=customer.last_name,
        is_guest=customer.is_guest,
        language=customer.language,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


def order_state_out(state: OrderState) -> OrderStateOut:
    return OrderStateOut(
        id=state.pk,
        external_id=state.external_id,
        name=state.name,
        color=state.color,
        counts_as_valid=state.counts_as_valid,
    )


def order_out(order: Order) -> OrderOut:
    """``order`` with ``customer`` and ``current_state`` selected."""
    return OrderOut(
        id=order.pk,
        external_id=order.external_id,
        reference=order.reference,
        customer_id=order.customer_id,
        customer=order.customer.external_id,
        created_at=order.created_at,
        currency=order.currency,
        total_paid=order.total_paid,
        total_paid_shop_currency=order.total_paid_shop_currency,
        valid=order.valid,
        language=order.language,
        state=order.current_state.external_id if order.current_state else None,
        updated_at=order.updated_at,
    )


def order_history_out(change: OrderHistory) -> OrderHistoryOut:
    """``change`` with ``order`` and ``state`` selected."""
    return OrderHistoryOut(
        id=change.pk,
        external_id=change.external_id,
        order=change.order.external_id,
        order_id=change.order_id,
        state=change.state.external_id,
        created_at=change.created_at,
    )
