"""A message in a thread and what it changes there: the pieces the thread services share
(``threads.services`` for employees' actions, ``threads.arrivals`` for customers' messages).

Nothing here opens a transaction or moves a counter: the service that calls these does both,
from the thread's state before and after its change (``counters.counter_deltas``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from django.utils import timezone

from comptoir.lib.msgid import message_id_stored
from comptoir.staff.models import Employee
from comptoir.threads.models import (
    Attachment,
    Author,
    EventKind,
    Message,
    Source,
    Status,
    Thread,
    ThreadEvent,
)
from comptoir.threads.search_index import thread_search_refresh
from comptoir.threads.storage import attachment_store

EXCERPT_LENGTH = 200


@dataclass(frozen=True)
class CustomerMessage:
    """What a customer sent, from any channel."""

    text: str
    source: Source
    html: str = ""
    quoted_text: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    is_auto_reply: bool = False
    # The mail's Cc addresses, stored form, ", "-separated (``threads.cc.cc_join``).
    cc: str = ""
    # What proved a contact-form or API sender (``SenderProof``); blank for other channels.
    sender_proof: str = ""


@dataclass(frozen=True)
class Upload:
    """A file attached by an employee or a customer, already checked (``forms.check_uploads``,
    the contact form's ``clean_attachment``): ``content_type`` is the one its content showed."""

    content: IO[bytes]
    name: str
    content_type: str

    def store(self) -> Attachment:
        """The file stored, as an attachment not yet on a message."""
        return attachment_store(
            content=self.content, original_name=self.name, content_type=self.content_type
        )


def excerpt(text: str) -> str:
    return " ".join(text.split())[:EXCERPT_LENGTH]


def thread_lock(thread: Thread) -> Thread:
    """The thread's row, locked until the transaction ends (related rows load lazily: a lock
    cannot cover the nullable side of an outer join)."""
    return Thread.objects.select_for_update().get(pk=thread.pk)


def event_add(
    thread: Thread, kind: EventKind, employee: Employee | None = None, **data: object
) -> ThreadEvent:
    return ThreadEvent.objects.create(thread=thread, kind=kind, employee=employee, data=data)


def message_apply(
    thread: Thread,
    *,
    author: Author,
    text: str,
    private: bool,
    at: datetime,
    employee: Employee | None,
) -> None:
    """What a new message changes in its thread's derived fields (the caller saves the thread;
    its row is locked or new, so its message count is current)."""
    thread.message_count = (thread.message_count or 0) + 1
    thread.last_message_at = at
    if private:
        thread.has_private = True
    else:
        thread.last_message_excerpt = excerpt(text)
        thread.last_message_from = author
    if author == Author.CUSTOMER and private:
        pass  # an auto-reply kept as a note: neither a question to answer nor a first message
    elif author == Author.CUSTOMER:
        thread.last_customer_message_at = at
        thread.first_customer_message_at = thread.first_customer_message_at or at
    else:
        thread.last_employee_message_at = at
        thread.last_employee = employee
        if not private and thread.first_response_at is None and thread.first_customer_message_at:
            thread.first_response_at = at


def message_build(
    thread: Thread,
    *,
    author: Author,
    text: str,
    source: Source,
    at: datetime,
    employee: Employee | None = None,
    private: bool = False,
    incoming: CustomerMessage | None = None,
    cc: str = "",
) -> Message:
    """A message row, not yet written; ``cc``: an employee's reply's copies."""
    return Message(
        thread=thread,
        author=author,
        employee=employee,
        text=text,
        html=incoming.html if incoming else "",
        quoted_text=incoming.quoted_text if incoming else "",
        private=private,
        source=source,
        is_auto_reply=incoming.is_auto_reply if incoming else False,
        message_id=message_id_stored(incoming.message_id) if incoming else "",
        message_id_header=_long_message_id(incoming),
        in_reply_to=incoming.in_reply_to if incoming else "",
        references=incoming.references if incoming else "",
        cc=incoming.cc if incoming else cc,
        sender_proof=incoming.sender_proof if incoming else "",
        ip_address=incoming.ip_address if incoming else None,
        user_agent=(incoming.user_agent if incoming else "")[:256],
        created_at=at,
    )


def _long_message_id(incoming: CustomerMessage | None) -> str:
    """The Message-ID as written, when its stored form is another (over 255 characters)."""
    if incoming is None or message_id_stored(incoming.message_id) == incoming.message_id:
        return ""
    return incoming.message_id


def attachments_link(pairs: Sequence[tuple[Message, Sequence[Attachment]]]) -> None:
    """Put each message's files on it: records not written yet (mail) in one INSERT, stored
    ones (uploads, written before their message) by one UPDATE per message."""
    new: list[Attachment] = []
    for message, attachments in pairs:
        for attachment in attachments:
            attachment.message = message
            if not attachment.pk:
                new.append(attachment)
        stored = [attachment.pk for attachment in attachments if attachment.pk]
        if stored:
            Attachment.objects.filter(pk__in=stored).update(message=message)
    if new:
        Attachment.objects.bulk_create(new)


def message_add(
    thread: Thread,
    *,
    author: Author,
    text: str,
    source: Source,
    employee: Employee | None = None,
    private: bool = False,
    at: datetime | None = None,
    attachments: Sequence[Attachment] = (),
    incoming: CustomerMessage | None = None,
    cc: str = "",
) -> Message:
    """A message in an existing thread (locked by the caller), and the thread's new state."""
    now = at or timezone.now()
    message = message_build(
        thread,
        author=author,
        text=text,
        source=source,
        at=now,
        employee=employee,
        private=private,
        incoming=incoming,
        cc=cc,
    )
    message.save(force_insert=True)
    attachments_link([(message, attachments)])
    message_apply(thread, author=author, text=text, private=private, at=now, employee=employee)
    thread.save()
    thread_search_refresh(thread_ids=[thread.pk])
    return message


def status_set(thread: Thread, status: Status) -> bool:
    """Set the status (the caller saves the thread); False when it already was ``status``."""
    if thread.status == status:
        return False
    thread.status = status
    thread.status_changed_at = timezone.now()
    return True
