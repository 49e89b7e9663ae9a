"""Messages written from an order's page (REFERENCE A18, PrestaShop's order "Messages" card).

All of them land in the order's thread — the customer's most recent thread about that order, or a
new one without a contact. A message the customer may see is e-mailed to them in the order's
language ("New message regarding your order"); a private one is a note. Either way the thread's
status does not change, as in PrestaShop.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from comptoir.shop.models import Order
from comptoir.staff.models import Employee
from comptoir.threads.models import Message, Source, Thread
from comptoir.threads.services import ThreadError, thread_note, thread_reply, thread_start

# PrestaShop's OrderMessageConstraint::MAX_MESSAGE_LENGTH.
ORDER_MESSAGE_MAX_LENGTH = 1200


def order_messages_for_order(order: Order) -> QuerySet[Message]:
    """Every message of every thread about ``order``, newest first (private ones included)."""
    return (
        Message.objects.filter(thread__order=order)
        .select_related("employee", "thread__customer")
        .order_by("-created_at", "-id")
    )


def _order_thread(order: Order, employee: Employee) -> Thread:
    """The customer's most recent thread about ``order``; a new one (no contact) if none.

    Locks the order's row first, so two employees writing at once share one new thread.
    """
    Order.objects.select_for_update().only("pk").get(pk=order.pk)
    customer = order.customer
    email = customer.email
    thread = Thread.objects.filter(order=order, email=email).order_by("-id").first()
    if thread is not None:
        return thread
    return thread_start(
        email=email,
        language=order.language,
        employee=employee,
        source=Source.ORDER_PAGE,
        customer=customer,
        order=order,
    )


@transaction.atomic
def order_message_post(
    *, order: Order, employee: Employee, text: str, visible_to_customer: bool
) -> Message:
    """An employee writes about ``order`` from its page; the thread's status stays as it is.

    Visible: stored, and e-mailed to the customer in the order's language. Not visible: a private
    note. Raises ThreadError for a blank or too long message (nothing is stored).
    """
    if not text.strip():
        raise ThreadError(_("The message cannot be blank."))
    if len(text) > ORDER_MESSAGE_MAX_LENGTH:
        raise ThreadError(
            _("The message is too long: %(max)d characters at most.")
            % {"max": ORDER_MESSAGE_MAX_LENGTH}
        )
    thread = _order_thread(order, employee)
    if not visible_to_customer:
        return thread_note(thread=thread, employee=employee, text=text, source=Source.ORDER_PAGE)
    return thread_reply(
        thread=thread, employee=employee, text=text, source=Source.ORDER_PAGE, order=order
    )
