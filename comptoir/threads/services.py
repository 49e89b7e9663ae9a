"""Every change that matters to a thread. Grep ``thread_`` to find them all.

Each function is keyword-only, typed and atomic; it writes the ThreadEvent of its change and, when
the change means an e-mail, the outbox row in the same transaction (delivered after commit by the
worker, so nothing leaves for a change that rolled back).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, ParamSpec, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.lib.rows import rows_insert, rows_update
from comptoir.shop.models import Customer, Order
from comptoir.staff.models import Employee
from comptoir.threads import counters, emails
from comptoir.threads.models import (
    Attachment,
    Author,
    Contact,
    EmailKind,
    EmailStatus,
    EventKind,
    Message,
    OutboundEmail,
    Source,
    Status,
    Thread,
    ThreadEvent,
    Topic,
)
from comptoir.threads.publish import Event, event_publish, events_publish, events_publish_many
from comptoir.threads.storage import attachment_files_delete, attachment_store

EXCERPT_LENGTH = 200
P = ParamSpec("P")
R = TypeVar("R")


def service(func: Callable[P, R]) -> Callable[P, R]:
    """A change to threads: atomic, and the counters it moves written in one statement."""
    return transaction.atomic(counters.counters_deferred(func))


class ThreadError(Exception):
    """A request the thread cannot accept (the message says why, translated)."""


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


def _excerpt(text: str) -> str:
    return " ".join(text.split())[:EXCERPT_LENGTH]


def _lock(thread: Thread) -> Thread:
    """The thread's row, locked until the transaction ends (related rows load lazily: a lock
    cannot cover the nullable side of an outer join)."""
    return Thread.objects.select_for_update().get(pk=thread.pk)


def _event(
    thread: Thread, kind: EventKind, employee: Employee | None = None, **data: object
) -> ThreadEvent:
    return ThreadEvent.objects.create(thread=thread, kind=kind, employee=employee, data=data)


def _apply_message(
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
    counters.counter_add(counters.message_counter(author), 1)
    thread.message_count = (thread.message_count or 0) + 1
    thread.last_message_at = at
    if private:
        thread.has_private = True
    else:
        thread.last_message_excerpt = _excerpt(text)
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


def _message_build(
    thread: Thread,
    *,
    author: Author,
    text: str,
    source: Source,
    at: datetime,
    employee: Employee | None = None,
    private: bool = False,
    incoming: CustomerMessage | None = None,
) -> Message:
    """A message row, not yet written."""
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
        message_id=incoming.message_id if incoming else "",
        in_reply_to=incoming.in_reply_to if incoming else "",
        references=incoming.references if incoming else "",
        ip_address=incoming.ip_address if incoming else None,
        user_agent=(incoming.user_agent if incoming else "")[:256],
        created_at=at,
    )


def _attachments_link(pairs: Sequence[tuple[Message, Sequence[Attachment]]]) -> None:
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


def _add_message(
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
) -> Message:
    """A message in an existing thread (locked by the caller), and the thread's new state."""
    now = at or timezone.now()
    message = _message_build(
        thread,
        author=author,
        text=text,
        source=source,
        at=now,
        employee=employee,
        private=private,
        incoming=incoming,
    )
    message.save(force_insert=True)
    _attachments_link([(message, attachments)])
    _apply_message(thread, author=author, text=text, private=private, at=now, employee=employee)
    thread.save()
    return message


def _set_status(thread: Thread, status: Status) -> bool:
    if thread.status == status:
        return False
    counters.counter_add(counters.status_counter(thread.status), -1)
    counters.counter_add(counters.status_counter(status), 1)
    thread.status = status
    thread.status_changed_at = timezone.now()
    return True


def _status_changed(thread: Thread, employee: Employee | None, old: str, new: str) -> None:
    event_publish(Topic.STATUS_CHANGED, thread=thread, employee=employee, old=old, new=new)


def _set_unread(thread: Thread, unread: bool) -> None:
    """Set the unread flag (the caller saves the thread), keeping the counter in step."""
    if thread.is_unread != unread:
        counters.unread_add(thread, 1 if unread else -1)
        thread.is_unread = unread


@dataclass(frozen=True)
class NewThread:
    """Who starts a conversation, and about what."""

    email: str
    language: str
    contact: Contact | None = None
    customer: Customer | None = None
    order: Order | None = None
    product_reference: str = ""


@dataclass(frozen=True)
class Arrival:
    """A customer message for an existing ``thread``, or the first one of a ``new`` thread."""

    incoming: CustomerMessage
    thread: Thread | None = None
    new: NewThread | None = None
    attachments: Sequence[Attachment] = ()
    # An existing thread's language changes to this one (the customer switched).
    language: str | None = None


@dataclass(frozen=True)
class Arrived:
    thread: Thread
    message: Message


# What a customer message can change in an existing thread's row: what _apply_message sets for a
# customer's message or note, _set_status and _set_unread, and the language.
_ARRIVAL_FIELDS = [
    "status",
    "status_changed_at",
    "language",
    "is_unread",
    "has_private",
    "message_count",
    "last_message_at",
    "last_message_excerpt",
    "last_message_from",
    "last_customer_message_at",
    "first_customer_message_at",
    "updated_at",
]


def _thread_new(new: NewThread, incoming: CustomerMessage, now: datetime) -> Thread:
    thread = Thread(
        contact=new.contact,
        customer=new.customer,
        order=new.order,
        product_reference=new.product_reference,
        email=new.email.strip().lower(),
        language=new.language,
        status=Status.OPEN,
        is_unread=not incoming.is_auto_reply,
        created_at=now,
        status_changed_at=now,
        updated_at=now,
    )
    counters.counter_add(counters.THREADS, 1)
    counters.counter_add(counters.status_counter(Status.OPEN), 1)
    if thread.is_unread:
        counters.unread_add(thread, 1)
    return thread


@service
def threads_receive(arrivals: Sequence[Arrival]) -> list[Arrived]:
    """Customer messages, each into its thread or a new one, in the order given.

    A message into an existing thread re-opens it and marks it unread; an auto-reply (out of
    office…) is kept as a private note and changes nothing else. However many messages arrive,
    the writes are the same few statements: the threads locked in one query, the new threads, the
    messages, their files, the events and the webhooks' events each in one INSERT, the existing
    threads in one UPDATE, the counters in one.
    """
    now = timezone.now()
    known = sorted({a.thread.pk for a in arrivals if a.thread is not None})
    locked = Thread.objects.select_for_update().filter(pk__in=known).order_by("pk") if known else []
    threads = {thread.pk: thread for thread in locked}
    created: list[Thread] = []
    changed: dict[int, Thread] = {}
    messages: list[Message] = []
    events: list[tuple[Thread, EventKind, dict[str, object]]] = []
    published: list[tuple[Thread, Event]] = []
    for arrival in arrivals:
        incoming = arrival.incoming
        auto = incoming.is_auto_reply
        reopened: dict[str, object] | None = None
        if arrival.new is not None:
            thread = _thread_new(arrival.new, incoming, now)
            created.append(thread)
            events.append((thread, EventKind.CREATED, {"source": incoming.source}))
        elif arrival.thread is not None:
            thread = threads.get(arrival.thread.pk) or _lock(arrival.thread)  # gone: DoesNotExist
            changed[thread.pk] = thread
            previous = thread.status
            if not auto:  # an auto-reply changes nothing but the message count
                if _set_status(thread, Status.OPEN):
                    reopened = {"old": previous, "new": Status.OPEN}
                    events.append((thread, EventKind.REOPENED, reopened))
                thread.language = arrival.language or thread.language
                _set_unread(thread, True)
        else:
            raise ValueError("an arrival names a thread or a new one")
        # An auto-reply into a thread is a private note; as a first message it starts the thread.
        private = auto and arrival.new is None
        _apply_message(
            thread,
            author=Author.CUSTOMER,
            text=incoming.text,
            private=private,
            at=now,
            employee=None,
        )
        message = _message_build(
            thread,
            author=Author.CUSTOMER,
            text=incoming.text,
            source=incoming.source,
            at=now,
            private=private,
            incoming=incoming,
        )
        messages.append(message)
        if arrival.new is not None:
            published.append((thread, Event(Topic.THREAD_CREATED, message=message)))
        if not auto:
            published.append((thread, Event(Topic.MESSAGE_RECEIVED, message=message)))
        if reopened is not None:
            published.append((thread, Event(Topic.STATUS_CHANGED, data=reopened)))
    rows_insert(created)
    rows_insert(messages)
    _attachments_link([(m, a.attachments) for m, a in zip(messages, arrivals, strict=True)])
    if changed:
        for thread in changed.values():
            thread.updated_at = now
        rows_update(list(changed.values()), _ARRIVAL_FIELDS)
    rows_insert(
        [ThreadEvent(thread=t, kind=kind, data=data, created_at=now) for t, kind, data in events]
    )
    events_publish_many(published)
    return [Arrived(m.thread, m) for m in messages]


def thread_open(
    *,
    email: str,
    incoming: CustomerMessage,
    language: str,
    contact: Contact | None = None,
    customer: Customer | None = None,
    order: Order | None = None,
    product_reference: str = "",
    attachments: Sequence[Attachment] = (),
) -> tuple[Thread, Message]:
    """A new conversation started by a customer, with its first message."""
    new = NewThread(email, language, contact, customer, order, product_reference)
    (arrived,) = threads_receive([Arrival(incoming, new=new, attachments=attachments)])
    return arrived.thread, arrived.message


def thread_receive(
    *,
    thread: Thread,
    incoming: CustomerMessage,
    attachments: Sequence[Attachment] = (),
    language: str | None = None,
) -> Message:
    """A customer wrote again: the message joins the thread (see ``threads_receive``)."""
    arrival = Arrival(incoming, thread=thread, attachments=attachments, language=language)
    return threads_receive([arrival])[0].message


@service
def thread_reply(
    *,
    thread: Thread,
    employee: Employee,
    text: str,
    status_after: Status = Status.CLOSED,
    attachments: Sequence[Attachment] = (),
    source: Source = Source.DESK,
    order: Order | None = None,
) -> Message:
    """An employee answers: the message is stored, its e-mail queued, the status set.

    The thread is marked "handled" (closed) unless the employee chose another status. Written
    on ``order``'s page, the e-mail is PrestaShop's "New message regarding your order" to the
    order's customer in the order's language, and the thread's status and unread flag stay.
    """
    if not text.strip():
        raise ThreadError(_("The message cannot be blank."))
    thread = _lock(thread)
    message = _add_message(
        thread,
        author=Author.EMPLOYEE,
        employee=employee,
        text=text,
        source=source,
        attachments=attachments,
    )
    from_email, from_name = emails.thread_sender(thread)
    link = emails.conversation_url(thread)
    kind, template, language = EmailKind.REPLY, "threads/email/reply.txt", thread.language
    context: dict[str, object] = {"thread": thread, "reply": text, "link": link}
    to_email, to_name = thread.email, thread.customer.full_name if thread.customer else ""
    if order is not None:
        kind, template = EmailKind.ORDER_MESSAGE, "threads/email/order_message.txt"
        customer, language = order.customer, order.language
        context = {
            "thread": thread,
            "order": order,
            "customer": customer,
            "message": text,
            "link": link,
        }
        to_email, to_name = customer.email, customer.full_name
    emails.email_queue(
        kind=kind,
        template=template,
        context=context,
        language=language,
        to_email=to_email,
        to_name=to_name,
        from_email=from_email,
        from_name=from_name,
        thread=thread,
        message=message,
        attachments=attachments,
    )
    about = {"order": order.pk} if order is not None else {}
    _event(thread, EventKind.REPLIED, employee, message=message.pk, **about)
    events = [Event(Topic.REPLY_SENT, message=message, employee=employee)]
    previous = thread.status
    if order is None:
        _set_unread(thread, False)
    if order is None and _set_status(thread, status_after):
        _event(thread, EventKind.STATUS, employee, old=previous, new=status_after)
        data: dict[str, object] = {"old": previous, "new": status_after}
        events.append(Event(Topic.STATUS_CHANGED, employee=employee, data=data))
    thread.save()
    events_publish(thread=thread, events=events)
    return message


@dataclass(frozen=True)
class Upload:
    """A file an employee attaches, already checked (``forms.check_uploads``)."""

    content: IO[bytes]
    name: str
    content_type: str


@service
def thread_reply_with_files(
    *,
    thread: Thread,
    employee: Employee,
    text: str,
    uploads: Sequence[Upload],
    status_after: Status = Status.CLOSED,
    source: Source = Source.DESK,
) -> Message:
    """``thread_reply`` with files: they are stored in the same transaction as the reply."""
    files = [
        attachment_store(content=u.content, original_name=u.name, content_type=u.content_type)
        for u in uploads
    ]
    return thread_reply(
        thread=thread,
        employee=employee,
        text=text,
        status_after=status_after,
        attachments=files,
        source=source,
    )


@service
def thread_start(
    *,
    email: str,
    language: str,
    employee: Employee,
    source: Source,
    customer: Customer | None = None,
    order: Order | None = None,
    contact: Contact | None = None,
) -> Thread:
    """A thread an employee starts (from an order's page): open, not unread, no message yet."""
    thread = Thread.objects.create(
        contact=contact,
        customer=customer,
        order=order,
        email=email.strip().lower(),
        language=language,
        status=Status.OPEN,
        is_unread=False,
    )
    counters.counter_add(counters.THREADS, 1)
    counters.counter_add(counters.status_counter(Status.OPEN), 1)
    _event(thread, EventKind.CREATED, employee, source=source)
    event_publish(Topic.THREAD_CREATED, thread=thread, employee=employee)
    return thread


@service
def thread_post(
    *, thread: Thread, employee: Employee, text: str, source: Source, private: bool = False
) -> Message:
    """An employee's message that changes nothing else: no e-mail, the status stays."""
    if not text.strip():
        raise ThreadError(_("The message cannot be blank."))
    thread = _lock(thread)
    return _add_message(
        thread, author=Author.EMPLOYEE, employee=employee, text=text, source=source, private=private
    )


@service
def thread_note(
    *, thread: Thread, employee: Employee, text: str, source: Source = Source.DESK
) -> Message:
    """An internal note: never shown to the customer, never e-mailed."""
    message = thread_post(thread=thread, employee=employee, text=text, source=source, private=True)
    _event(thread, EventKind.NOTE, employee, message=message.pk)
    return message


@service
def thread_set_status(*, thread: Thread, employee: Employee | None, status: Status) -> Thread:
    thread = _lock(thread)
    previous = thread.status
    if _set_status(thread, status):
        if status != Status.OPEN:
            _set_unread(thread, False)
        thread.save(update_fields=["status", "status_changed_at", "is_unread", "updated_at"])
        _event(thread, EventKind.STATUS, employee, old=previous, new=status)
        _status_changed(thread, employee, previous, status)
    return thread


@service
def thread_assign(
    *, thread: Thread, employee: Employee | None, assignee: Employee | None
) -> Thread:
    """Give the thread to ``assignee`` (None: nobody). ``employee`` is who did it."""
    if assignee is not None and not assignee.is_active:
        raise ThreadError(_("This employee is not active."))
    thread = _lock(thread)
    if thread.assignee_id != (assignee.pk if assignee else None):
        previous = thread.assignee_id
        thread.assignee = assignee
        thread.save(update_fields=["assignee", "updated_at"])
        _event(
            thread,
            EventKind.ASSIGNED,
            employee,
            old=previous,
            new=assignee.pk if assignee else None,
            name=assignee.full_name if assignee else "",
        )
    return thread


@service
def thread_forward(
    *,
    thread: Thread,
    employee: Employee,
    comment: str = "",
    to_employee: Employee | None = None,
    to_email: str = "",
) -> OutboundEmail:
    """Send the whole conversation to a colleague (who gets the thread) or to an outside address.

    Either way the e-mail leaves from the shop's address and a private note records it.
    """
    if (to_employee is None) == (not to_email):
        raise ThreadError(_("Choose one employee or one e-mail address."))
    if to_employee is not None and not to_employee.is_active:
        raise ThreadError(_("This employee is not active."))
    thread = _lock(thread)
    target_email = to_employee.email if to_employee else to_email.strip().lower()
    target_name = to_employee.full_name if to_employee else target_email
    language = to_employee.language if to_employee else employee.language
    conversation = list(thread.messages.select_related("employee").order_by("created_at", "id"))
    email = emails.email_queue(
        kind=EmailKind.FORWARD,
        template="threads/email/forward.txt",
        context={
            "thread": thread,
            "employee": employee,
            "comment": comment,
            "conversation": conversation,
            "to_employee": to_employee,
            "desk_url": f"{settings.COMPTOIR_SITE_URL}/desk/threads/{thread.pk}/",
        },
        language=language,
        to_email=target_email,
        to_name=to_employee.full_name if to_employee else "",
        from_email=settings.DEFAULT_FROM_EMAIL,
        from_name=settings.COMPTOIR_SHOP_NAME,
        thread=thread,
        is_internal=True,
        threading=False,
    )
    with translation.override(employee.language):
        note = _("Message forwarded to %(name)s") % {"name": target_name}
        if comment.strip():
            note += "\n" + _("Comment: %(comment)s") % {"comment": comment.strip()}
    _add_message(
        thread,
        author=Author.EMPLOYEE,
        employee=employee,
        text=note,
        source=Source.DESK,
        private=True,
    )
    _event(thread, EventKind.FORWARDED, employee, to=target_email, comment=comment.strip())
    if to_employee is not None:
        thread_assign(thread=thread, employee=employee, assignee=to_employee)
    return email


@service
def thread_change_contact(
    *, thread: Thread, employee: Employee | None, contact: Contact | None
) -> Thread:
    """Move the thread to another contact (department); ``employee`` None: the customer did."""
    thread = _lock(thread)
    if thread.contact_id != (contact.pk if contact else None):
        previous = thread.contact_id
        if thread.is_unread:
            counters.unread_add(thread, -1)
        thread.contact = contact
        if thread.is_unread:
            counters.unread_add(thread, 1)
        thread.save(update_fields=["contact", "updated_at"])
        _event(
            thread, EventKind.CONTACT, employee, old=previous, new=contact.pk if contact else None
        )
    return thread


def thread_mark_read(*, thread: Thread, employee: Employee) -> None:
    """An employee opened the thread: its customer messages are read.

    Writes only when the thread is unread, so opening a thread costs no write transaction.
    """
    if not thread.is_unread:
        return
    with transaction.atomic():
        locked = _lock(thread)
        Message.objects.filter(thread=locked, author=Author.CUSTOMER, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if locked.is_unread:
            _set_unread(locked, False)
            locked.save(update_fields=["is_unread"])
    thread.is_unread = False


@service
def thread_delete(*, thread: Thread, employee: Employee) -> None:
    """Delete a thread with its messages; the attachment files go when the rows go."""
    thread = _lock(thread)
    names = list(
        Attachment.objects.filter(message__thread=thread).values_list("storage_name", flat=True)
    )
    by_author = dict(thread.messages.values_list("author").annotate(n=Count("id")).order_by())
    for author, count in by_author.items():
        counters.counter_add(counters.message_counter(author), -count)
    counters.counter_add(counters.THREADS, -1)
    counters.counter_add(counters.status_counter(thread.status), -1)
    if thread.is_unread:
        counters.unread_add(thread, -1)
    thread.delete()
    transaction.on_commit(lambda: attachment_files_delete(names))


@service
def outbound_email_retry(*, email: OutboundEmail, employee: Employee) -> bool:
    """Queue a failed e-mail again (an employee's "retry"); False when it had not failed."""
    queued = OutboundEmail.objects.filter(pk=email.pk, status=EmailStatus.FAILED).update(
        status=EmailStatus.QUEUED, next_attempt_at=timezone.now(), attempts=0, last_error=""
    )
    return bool(queued)


def threads_bulk_apply(
    *,
    threads: Sequence[Thread],
    employee: Employee,
    status: Status | None = None,
    assignee: Employee | None = None,
    assign: bool = False,
    delete: bool = False,
) -> int:
    """The same change on many threads, each through its own service (events included)."""
    done = 0
    with transaction.atomic():
        for thread in threads:
            if delete:
                thread_delete(thread=thread, employee=employee)
            elif status is not None:
                thread_set_status(thread=thread, employee=employee, status=status)
            elif assign:
                thread_assign(thread=thread, employee=employee, assignee=assignee)
            done += 1
    return done


def threads_link_customers(*, customer_ids: Sequence[int]) -> int:
    """Threads written by a guest address that is now a known customer get that customer (their
    panel then shows orders and totals). A registered account wins over a guest one."""
    customers = Customer.objects.filter(pk__in=customer_ids).order_by("is_guest", "id")
    by_email: dict[str, int] = {}
    for pk, email in customers.values_list("pk", "email"):
        by_email.setdefault(email.lower(), pk)
    linked = 0
    emails = sorted(by_email)
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        waiting = Thread.objects.filter(customer__isnull=True, email__in=chunk)
        for email in set(waiting.values_list("email", flat=True)):
            linked += Thread.objects.filter(customer__isnull=True, email=email).update(
                customer_id=by_email[email]
            )
    return linked
