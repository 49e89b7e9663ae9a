"""What happens when a customer sends a message to a contact (REFERENCE A3–A4, B2).

The same rules whether the message comes from the public contact form (``contact_form``) or from a
shop's own front end through the API: same thread lookup, rate limits, duplicate check and e-mails.

A message joins an existing thread only with a proof that its sender is that thread's customer:
the conversation link (``Submission.thread``, found by its secret) or a customer the shop says is
signed in (``Submission.customer``, through the API). An address typed in the form proves
nothing: the message opens a new thread, and the thread page shows the address's other
conversations so that an employee can merge them (``threads.services.thread_merge``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.shop.models import Customer, Order
from comptoir.threads import arrivals, emails, services
from comptoir.threads.messages import CustomerMessage, Upload
from comptoir.threads.models import (
    Attachment,
    Author,
    Contact,
    EmailKind,
    SenderProof,
    Source,
    Status,
    Thread,
)
from comptoir.threads.rates import rate_key, rates_count

JOIN_WINDOW = timedelta(days=30)
DUPLICATE_WINDOW = timedelta(minutes=10)


class SubmitError(Exception):
    """The message cannot be delivered; the text (translated) says why."""


@dataclass(frozen=True)
class Submission:
    contact: Contact
    email: str
    text: str
    language: str
    order: Order | None = None
    upload: Upload | None = None
    ip_address: str | None = None
    user_agent: str = ""
    # The thread of the conversation link the customer came from, if any.
    thread: Thread | None = None
    # The customer the shop's front end says is signed in (API), if any.
    customer: Customer | None = None

    @classmethod
    def from_form(
        cls,
        data: Mapping[str, Any],
        *,
        language: str,
        ip_address: str | None,
        user_agent: str,
        thread: Thread | None = None,
        customer: Customer | None = None,
    ) -> Submission:
        """From the cleaned data of a ``ContactMessageBaseForm``."""
        return cls(
            contact=data["contact"],
            email=data["email"],
            text=data["message"],
            language=language,
            order=data["order"],
            upload=data.get("attachment"),
            ip_address=ip_address,
            user_agent=user_agent[:256],
            thread=thread,
            customer=customer,
        )


@dataclass(frozen=True)
class Outcome:
    thread: Thread | None
    duplicate: bool = False


def duplicate_fingerprint(
    email: str, contact_id: int | None, order_id: int | None, text: str
) -> str:
    """What the double-submit check counts a post by (also how an erasure finds its row)."""
    parts = [email, str(contact_id), str(order_id), text]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def contact_message_rate_limited(*, ip_address: str | None, email: str) -> bool:
    """Count one more message from this IP address and this e-mail address; True when either
    went over its limit in the window (the caller refuses the message, storing nothing).

    No IP address (a shop's front end that did not pass it): only the e-mail address counts.
    """
    window = settings.COMPTOIR_CONTACT_RATE_WINDOW
    limits = {rate_key("email", email): settings.COMPTOIR_CONTACT_RATE_PER_EMAIL}
    if ip_address is not None:
        limits[rate_key("ip", ip_address)] = settings.COMPTOIR_CONTACT_RATE_PER_IP
    counts = rates_count(dict.fromkeys(limits, window))
    return any(counts[key] > limit for key, limit in limits.items())


def order_for_email(reference: str, email: str) -> Order | None:
    """The order with this reference placed by this e-mail address (None: no such pair)."""
    return (
        Order.objects.filter(reference__iexact=reference.strip(), customer__email=email)
        .order_by("-created_at")
        .first()
    )


def thread_find_for_customer(*, customer: Customer, order: Order | None) -> Thread | None:
    """A signed-in customer's thread to join: theirs, about the same order, open or active in
    30 days (not one merged into another)."""
    recent = timezone.now() - JOIN_WINDOW
    return (
        Thread.objects.filter(customer=customer, order=order, merged_into__isnull=True)
        .filter(~Q(status=Status.CLOSED) | Q(last_message_at__gte=recent))
        .order_by("-last_message_at", "-id")
        .first()
    )


def _thread_proven(submission: Submission) -> Thread | None:
    """The thread the message may join: only with a proof (see the module's docstring)."""
    if submission.thread is not None:
        return submission.thread
    if submission.customer is not None:
        return thread_find_for_customer(customer=submission.customer, order=submission.order)
    return None


def _proof(submission: Submission) -> SenderProof:
    """What proves the sender is the customer: the link, the shop's word, or nothing (a typed
    address, even one with a matching order reference)."""
    if submission.thread is not None:
        return SenderProof.LINK
    if submission.customer is not None:
        return SenderProof.SIGNED_IN
    return SenderProof.NONE


def _registered_customer(
    email: str, order: Order | None, signed_in: Customer | None
) -> Customer | None:
    if signed_in is not None:
        return signed_in
    if order is not None:
        return order.customer
    return Customer.objects.with_email(email).filter(is_guest=False).order_by("id").first()


def _is_duplicate(thread: Thread, text: str) -> bool:
    last = (
        thread.messages.filter(author=Author.CUSTOMER)
        .order_by("-created_at", "-id")
        .values_list("text", "created_at")
        .first()
    )
    return last is not None and last[0] == text and last[1] >= timezone.now() - DUPLICATE_WINDOW


def _store(upload: Upload | None) -> list[Attachment]:
    if upload is None:
        return []
    return [upload.store()]


def _queue_notification(
    submission: Submission, thread: Thread | None, attachments: list[Attachment]
) -> None:
    contact = submission.contact
    emails.email_queue(
        kind=EmailKind.NOTIFICATION,
        template="contact_form/email/notification.txt",
        context={
            "submission": submission,
            "contact_name": contact.name_in(settings.LANGUAGE_CODE),
            "thread": thread,
            "attachments": attachments,
            "desk_url": f"{settings.COMPTOIR_SITE_URL}/desk/threads/{thread.pk}/" if thread else "",
        },
        language=settings.LANGUAGE_CODE,
        to_email=contact.email,
        to_name=contact.name_in(settings.LANGUAGE_CODE),
        from_email=settings.DEFAULT_FROM_EMAIL,
        from_name=settings.COMPTOIR_SHOP_NAME,
        reply_to=submission.email,
        thread=thread,
        attachments=attachments,
        is_internal=True,
        threading=False,
    )


def _queue_confirmation(
    submission: Submission, thread: Thread, attachments: list[Attachment], *, new: bool
) -> None:
    """``new``: the thread was opened by this message, so no earlier e-mail of it exists to
    thread under (and none is looked for)."""
    from_email, from_name = emails.thread_sender(thread)
    emails.email_queue(
        kind=EmailKind.CONFIRMATION,
        template="contact_form/email/confirmation.txt",
        context={
            "thread": thread,
            "order": submission.order,
            "attachments": attachments,
            "link": emails.conversation_url(thread),
        },
        language=submission.language,
        to_email=thread.email,
        to_name=thread.customer.full_name if thread.customer else "",
        from_email=from_email,
        from_name=from_name,
        thread=thread,
        threading=not new,
    )


def contact_message_submit(*, submission: Submission) -> Outcome:
    """Store the message in the customer's thread (when the contact saves messages), e-mail the
    contact, confirm to the customer. A double submit within minutes is stored and sent once.
    """
    contact = submission.contact
    if not contact.email and not contact.save_messages:
        raise SubmitError(
            _("Your message could not be sent: this contact cannot receive messages.")
        )
    order_id = submission.order.pk if submission.order else None
    fingerprint = duplicate_fingerprint(submission.email, contact.pk, order_id, submission.text)
    dup = f"dup:{fingerprint}"
    if rates_count({dup: int(DUPLICATE_WINDOW.total_seconds())})[dup] > 1:
        return Outcome(thread=None, duplicate=True)
    with transaction.atomic():
        if not contact.save_messages:
            _queue_notification(submission, None, _store(submission.upload))
            return Outcome(thread=None)
        thread = _thread_proven(submission)
        if thread is not None and _is_duplicate(thread, submission.text):
            return Outcome(thread=thread, duplicate=True)
        attachments = _store(submission.upload)
        incoming = CustomerMessage(
            text=submission.text,
            source=Source.FORM,
            ip_address=submission.ip_address,
            user_agent=submission.user_agent,
            sender_proof=_proof(submission),
        )
        new = thread is None
        if thread is None:
            thread, _message = arrivals.thread_open(
                email=submission.email,
                incoming=incoming,
                language=submission.language,
                contact=contact,
                customer=_registered_customer(
                    submission.email, submission.order, submission.customer
                ),
                order=submission.order,
                attachments=attachments,
            )
        else:
            services.thread_change_contact(thread=thread, employee=None, contact=contact)
            arrivals.thread_receive(
                thread=thread,
                incoming=incoming,
                attachments=attachments,
                language=submission.language,
            )
            thread.refresh_from_db()
        if contact.email:
            _queue_notification(submission, thread, attachments)
        _queue_confirmation(submission, thread, attachments, new=new)
    return Outcome(thread=thread)
