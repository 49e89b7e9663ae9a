"""Every change that matters to a thread. Grep ``thread_`` to find them all.

Each function is keyword-only, typed and atomic; it writes the ThreadEvent of its change and, when
the change means an e-mail, the outbox row in the same transaction (delivered after commit by the
worker, so nothing leaves for a change that rolled back). The counters it moves are computed from
each thread's state before and after the change (``counters.counter_deltas``) and written once,
in the same transaction. Customers' messages arrive through ``threads.arrivals``; the pieces
both share are in ``threads.messages``.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.lib.addresses import email_normalize
from comptoir.shop.models import Customer, Order
from comptoir.staff.models import Employee
from comptoir.threads import emails, notify
from comptoir.threads.cc import CcError, cc_join, cc_parse
from comptoir.threads.counters import (
    Counted,
    counter_deltas,
    counter_deltas_many,
    counters_apply,
    deltas_sum,
)
from comptoir.threads.messages import (
    Upload,
    event_add,
    excerpt,
    message_add,
    status_set,
    thread_lock,
)
from comptoir.threads.models import (
    Attachment,
    Author,
    Contact,
    EmailKind,
    EventKind,
    Message,
    OutboundEmail,
    SavedFilter,
    Source,
    Status,
    Thread,
    ThreadEvent,
    Topic,
    new_thread_token,
)
from comptoir.threads.news import News, Seen, thread_news, thread_seen
from comptoir.threads.publish import Event, event_publish, events_publish
from comptoir.threads.search_index import thread_search_refresh
from comptoir.threads.signatures import signature_append, signature_render
from comptoir.threads.storage import attachment_files_delete
from comptoir.threads.variables import variables_unfilled


class ThreadError(Exception):
    """A request the thread cannot accept (the message says why, translated)."""


class ThreadChanged(ThreadError):
    """Something happened in the thread since the employee's page was drawn: nothing was sent.

    ``news`` lists it; ``seen`` is the thread as it is now, for a form that sends anyway."""

    def __init__(self, news: list[News], seen: Seen) -> None:
        super().__init__(_("This conversation has changed since you opened it: nothing was sent."))
        self.news = news
        self.seen = seen


def _check_nothing_new(thread: Thread, seen: Seen | None) -> None:
    """The collision rule: with ``seen`` (what the employee's page showed), any message or
    status change since stops the action (``threads.news``)."""
    if seen is not None and (news := thread_news(thread.pk, seen)):
        raise ThreadChanged(news, thread_seen(thread.pk))


def _status_changed(thread: Thread, employee: Employee | None, old: str, new: str) -> None:
    event_publish(Topic.STATUS_CHANGED, thread=thread, employee=employee, old=old, new=new)


def _check_no_unfilled_variable(text: str) -> None:
    """A saved reply's variable left without a value is never sent to a customer as "{…}"."""
    if unfilled := variables_unfilled(text):
        raise ThreadError(
            _("No value for %(variables)s: write the right text in its place before sending.")
            % {"variables": ", ".join(unfilled)}
        )


def _copies(cc: Sequence[str], thread: Thread) -> tuple[str, ...]:
    """A reply's copies, checked (``threads.cc``), without the customer's own address."""
    try:
        copies = cc_parse(cc_join(cc))
    except CcError as exc:
        raise ThreadError(str(exc)) from None
    return tuple(address for address in copies if address != thread.email)


@transaction.atomic
def thread_reply(
    *,
    thread: Thread,
    employee: Employee,
    text: str,
    status_after: Status = Status.CLOSED,
    attachments: Sequence[Attachment] = (),
    source: Source = Source.DESK,
    order: Order | None = None,
    seen: Seen | None = None,
    cc: Sequence[str] = (),
    signed: bool = False,
) -> Message:
    """An employee answers: the message is stored, its e-mail queued, the status set.

    The thread is marked "handled" (closed) unless the employee chose another status. Written
    on ``order``'s page, the e-mail is PrestaShop's "New message regarding your order" to the
    order's customer in the order's language, and the thread's status and unread flag stay.
    With ``seen``, nothing is sent if the thread changed since (``ThreadChanged``): checked
    under the thread's lock, so of two employees sending at once the second is told.
    ``cc``: addresses copied on the e-mail (checked again here, ``threads.cc``; not on an order's
    message). ``signed``: the employee's signature in the e-mail's language is added, once
    (``threads.signatures``); the message is stored as sent.
    """
    if not text.strip():
        raise ThreadError(_("The message cannot be blank."))
    _check_no_unfilled_variable(text)
    copies = _copies(cc, thread) if order is None else ()
    thread = thread_lock(thread)
    _check_nothing_new(thread, seen)
    before = Counted.of(thread)
    language = order.language if order is not None else thread.language
    if signed:
        text = signature_append(text, signature_render(employee=employee, language=language))
    message = message_add(
        thread,
        author=Author.EMPLOYEE,
        employee=employee,
        text=text,
        source=source,
        attachments=attachments,
        cc=cc_join(copies),
    )
    from_email, from_name = emails.thread_sender(thread)
    link = emails.conversation_url(thread)
    kind, template = EmailKind.REPLY, "threads/email/reply.txt"
    context: dict[str, object] = {"thread": thread, "reply": text, "link": link}
    to_email, to_name = thread.email, thread.customer.full_name if thread.customer else ""
    if order is not None:
        kind, template = EmailKind.ORDER_MESSAGE, "threads/email/order_message.txt"
        customer = order.customer
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
        cc=copies,
        from_email=from_email,
        from_name=from_name,
        thread=thread,
        message=message,
        attachments=attachments,
    )
    about = {"order": order.pk} if order is not None else {}
    event_add(thread, EventKind.REPLIED, employee, message=message.pk, **about)
    events = [Event(Topic.REPLY_SENT, message=message, employee=employee)]
    previous = thread.status
    if order is None:
        thread.is_unread = False
    if order is None and status_set(thread, status_after):
        event_add(thread, EventKind.STATUS, employee, old=previous, new=status_after)
        data: dict[str, object] = {"old": previous, "new": status_after}
        events.append(Event(Topic.STATUS_CHANGED, employee=employee, data=data))
    thread.save()
    events_publish(thread=thread, events=events)
    counters_apply(counter_deltas(before, Counted.of(thread), messages={Author.EMPLOYEE: 1}))
    return message


@transaction.atomic
def thread_reply_with_files(
    *,
    thread: Thread,
    employee: Employee,
    text: str,
    uploads: Sequence[Upload],
    status_after: Status = Status.CLOSED,
    source: Source = Source.DESK,
    seen: Seen | None = None,
    cc: Sequence[str] = (),
    signed: bool = False,
) -> Message:
    """``thread_reply`` with files: they are stored in the same transaction as the reply."""
    _check_no_unfilled_variable(text)  # before the files are written
    _check_nothing_new(thread, seen)
    _copies(cc, thread)
    return thread_reply(
        thread=thread,
        employee=employee,
        text=text,
        status_after=status_after,
        attachments=[upload.store() for upload in uploads],
        source=source,
        seen=seen,
        cc=cc,
        signed=signed,
    )


@transaction.atomic
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
        email=email_normalize(email),
        language=language,
        status=Status.OPEN,
        is_unread=False,
    )
    event_add(thread, EventKind.CREATED, employee, source=source)
    event_publish(Topic.THREAD_CREATED, thread=thread, employee=employee)
    counters_apply(counter_deltas(None, Counted.of(thread)))
    return thread


@transaction.atomic
def thread_post(
    *, thread: Thread, employee: Employee, text: str, source: Source, private: bool = False
) -> Message:
    """An employee's message that changes nothing else: no e-mail, the status stays."""
    if not text.strip():
        raise ThreadError(_("The message cannot be blank."))
    thread = thread_lock(thread)
    before = Counted.of(thread)
    message = message_add(
        thread, author=Author.EMPLOYEE, employee=employee, text=text, source=source, private=private
    )
    counters_apply(counter_deltas(before, Counted.of(thread), messages={Author.EMPLOYEE: 1}))
    return message


@transaction.atomic
def thread_note(
    *,
    thread: Thread,
    employee: Employee,
    text: str,
    source: Source = Source.DESK,
    seen: Seen | None = None,
) -> Message:
    """An internal note: never shown to the customer, never e-mailed. With ``seen``, nothing
    is added if the thread changed since (``ThreadChanged``)."""
    if seen is not None:
        _check_nothing_new(thread_lock(thread), seen)
    message = thread_post(thread=thread, employee=employee, text=text, source=source, private=True)
    event_add(thread, EventKind.NOTE, employee, message=message.pk)
    notify.notify_mentions(thread, message, employee)
    return message


@transaction.atomic
def thread_set_status(*, thread: Thread, employee: Employee | None, status: Status) -> Thread:
    thread, deltas = _status_change(thread, employee, status)
    counters_apply(deltas)
    return thread


def _status_change(
    thread: Thread, employee: Employee | None, status: Status
) -> tuple[Thread, dict[str, int]]:
    """``thread_set_status`` but the counters: their deltas are returned, to be written."""
    thread = thread_lock(thread)
    before = Counted.of(thread)
    previous = thread.status
    if status_set(thread, status):
        if status != Status.OPEN:
            thread.is_unread = False
        thread.save(update_fields=["status", "status_changed_at", "is_unread", "updated_at"])
        event_add(thread, EventKind.STATUS, employee, old=previous, new=status)
        _status_changed(thread, employee, previous, status)
    return thread, counter_deltas(before, Counted.of(thread))


@transaction.atomic
def thread_assign(
    *,
    thread: Thread,
    employee: Employee | None,
    assignee: Employee | None,
    forwarded: bool = False,
) -> Thread:
    """Give the thread to ``assignee`` (None: nobody). ``employee`` is who did it;
    ``forwarded``: with a forward (the assignee is told it was forwarded to them)."""
    if assignee is not None and not assignee.is_active:
        raise ThreadError(_("This employee is not active."))
    thread = thread_lock(thread)
    event = None
    if thread.assignee_id != (assignee.pk if assignee else None):
        before = Counted.of(thread)
        previous = thread.assignee_id
        thread.assignee = assignee
        thread.save(update_fields=["assignee", "updated_at"])
        counters_apply(counter_deltas(before, Counted.of(thread)))
        event = event_add(
            thread,
            EventKind.ASSIGNED,
            employee,
            old=previous,
            new=assignee.pk if assignee else None,
            name=assignee.full_name if assignee else "",
        )
    notify.notify_assigned(thread, event, employee, forwarded=forwarded)
    return thread


@transaction.atomic
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
    thread = thread_lock(thread)
    before = Counted.of(thread)
    target_email = to_employee.email if to_employee else email_normalize(to_email)
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
    message_add(
        thread,
        author=Author.EMPLOYEE,
        employee=employee,
        text=note,
        source=Source.DESK,
        private=True,
    )
    event_add(thread, EventKind.FORWARDED, employee, to=target_email, comment=comment.strip())
    counters_apply(counter_deltas(before, Counted.of(thread), messages={Author.EMPLOYEE: 1}))
    if to_employee is not None:
        thread_assign(thread=thread, employee=employee, assignee=to_employee, forwarded=True)
    return email


@transaction.atomic
def thread_change_contact(
    *, thread: Thread, employee: Employee | None, contact: Contact | None
) -> Thread:
    """Move the thread to another contact (department); ``employee`` None: the customer did."""
    thread = thread_lock(thread)
    if thread.contact_id != (contact.pk if contact else None):
        before = Counted.of(thread)
        previous = thread.contact_id
        thread.contact = contact
        thread.save(update_fields=["contact", "updated_at"])
        event_add(
            thread, EventKind.CONTACT, employee, old=previous, new=contact.pk if contact else None
        )
        counters_apply(counter_deltas(before, Counted.of(thread)))
    return thread


@transaction.atomic
def thread_change_language(*, thread: Thread, employee: Employee, language: str) -> Thread:
    """Set the language the thread is answered in (its e-mails and default message)."""
    if language not in dict(settings.LANGUAGES):
        raise ThreadError(_("Select a valid choice."))
    thread = thread_lock(thread)
    if thread.language != language:
        previous = thread.language
        thread.language = language
        thread.save(update_fields=["language", "updated_at"])
        thread_search_refresh(thread_ids=[thread.pk])
        event_add(thread, EventKind.LANGUAGE, employee, old=previous, new=language)
    return thread


def threads_change_contact(*, threads: QuerySet[Thread], contact: Contact | None) -> int:
    """Move many threads to ``contact`` at once (an administrator's re-filing: no event per
    thread, ``updated_at`` kept); returns how many moved. Call inside a transaction.

    The rows are locked and counted by the state the counters see before one UPDATE moves them,
    so the counters move by the same counts, and a thread that arrives meanwhile is left where it
    is (the caller sees it).
    """
    rows = list(
        threads.select_for_update().values_list(
            "pk", "status", "is_unread", "contact_id", "assignee_id", "snoozed_until"
        )
    )
    target = contact.pk if contact else None
    moves = [
        (
            Counted(status, is_unread, contact_id, assignee_id, until is not None),
            Counted(status, is_unread, target, assignee_id, until is not None),
        )
        for _pk, status, is_unread, contact_id, assignee_id, until in rows
    ]
    keys = [pk for pk, *_rest in rows]
    for start in range(0, len(keys), 500):
        Thread.objects.filter(pk__in=keys[start : start + 500]).update(contact=contact)
    counters_apply(counter_deltas_many(moves))
    return len(rows)


def thread_mark_read(*, thread: Thread, employee: Employee) -> None:
    """An employee opened the thread: its customer messages are read.

    Writes only when the thread is unread, so opening a thread costs no write transaction.
    """
    if not thread.is_unread:
        return
    with transaction.atomic():
        locked = thread_lock(thread)
        Message.objects.filter(thread=locked, author=Author.CUSTOMER, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if locked.is_unread:
            before = Counted.of(locked)
            locked.is_unread = False
            locked.save(update_fields=["is_unread"])
            counters_apply(counter_deltas(before, Counted.of(locked)))
    thread.is_unread = False


@transaction.atomic
def thread_delete(*, thread: Thread, employee: Employee) -> None:
    """Delete a thread with its messages; the attachment files go when the rows go."""
    counters_apply(_delete(thread))


def _delete(thread: Thread) -> dict[str, int]:
    """``thread_delete`` but the counters: their deltas are returned, to be written."""
    thread = thread_lock(thread)
    names = list(
        Attachment.objects.filter(message__thread=thread).values_list("storage_name", flat=True)
    )
    by_author = dict(thread.messages.values_list("author").annotate(n=Count("id")).order_by())
    before = Counted.of(thread)
    thread.delete()
    transaction.on_commit(lambda: attachment_files_delete(names))
    removed = {author: -count for author, count in by_author.items()}
    return counter_deltas(before, None, messages=removed)


def threads_delete(*, threads: Sequence[Thread]) -> int:
    """Delete these threads with their messages in one transaction (a person's data erased, old
    closed conversations); the counters they move written once, the files after commit."""
    with transaction.atomic():
        counters_apply(deltas_sum(*(_delete(thread) for thread in threads)))
    return len(threads)


def threads_bulk_apply(
    *,
    threads: Sequence[Thread],
    employee: Employee,
    status: Status | None = None,
    assignee: Employee | None = None,
    assign: bool = False,
    delete: bool = False,
) -> int:
    """The same change on many threads, each as its own service makes it (events included), the
    counters they move written once."""
    done = 0
    moves: list[dict[str, int]] = []
    with transaction.atomic():
        for thread in threads:
            if delete:
                moves.append(_delete(thread))
            elif status is not None:
                moves.append(_status_change(thread, employee, status)[1])
            elif assign:
                thread_assign(thread=thread, employee=employee, assignee=assignee)
            done += 1
        counters_apply(deltas_sum(*moves))
    return done


def threads_link_customers(*, customer_ids: Sequence[int]) -> int:
    """Threads written by a guest address that is now a known customer get that customer (their
    panel then shows orders and totals). A registered account wins over a guest one. Called
    after customers are written: their threads' search rows are rebuilt."""
    customers = Customer.objects.filter(pk__in=customer_ids).order_by("is_guest", "id")
    by_email: dict[str, int] = {}
    for pk, email in customers.values_list("pk", "email"):
        by_email.setdefault(email, pk)  # stored in its one form
    linked = 0
    emails = sorted(by_email)
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        waiting = Thread.objects.filter(customer__isnull=True, email__in=chunk)
        for email in set(waiting.values_list("email", flat=True)):
            linked += Thread.objects.filter(customer__isnull=True, email=email).update(
                customer_id=by_email[email]
            )
    # Their names may have changed too: the customers' threads are found by the new ones.
    thread_search_refresh(
        thread_ids=Thread.objects.filter(customer_id__in=customer_ids).values_list("pk", flat=True)
    )
    return linked


def _derived_from_messages(thread: Thread) -> None:
    """Set the thread's derived fields from its messages, as ``message_apply`` would have
    written them one message at a time (the caller saves the thread)."""
    messages = Message.objects.filter(thread=thread)
    customer = Q(author=Author.CUSTOMER, private=False)
    employee = Q(author=Author.EMPLOYEE)
    values = messages.aggregate(
        n=Count("id"),
        n_private=Count("id", filter=Q(private=True)),
        at_last=Max("created_at"),
        at_first_customer=Min("created_at", filter=customer),
        at_last_customer=Max("created_at", filter=customer),
        at_last_employee=Max("created_at", filter=employee),
    )
    thread.message_count = values["n"]
    thread.last_message_at = values["at_last"] or thread.last_message_at
    thread.has_private = values["n_private"] > 0
    thread.first_customer_message_at = values["at_first_customer"]
    thread.last_customer_message_at = values["at_last_customer"]
    thread.last_employee_message_at = values["at_last_employee"]
    public = messages.filter(private=False).order_by("-created_at", "-id")
    last_public = public.values_list("text", "author").first()
    thread.last_message_excerpt = excerpt(last_public[0]) if last_public else ""
    thread.last_message_from = last_public[1] if last_public else ""
    thread.last_employee_id = (
        messages.filter(employee)
        .order_by("-created_at", "-id")
        .values_list("employee_id", flat=True)
        .first()
    )
    thread.first_response_at = None
    if thread.first_customer_message_at is not None:
        thread.first_response_at = (
            messages.filter(
                author=Author.EMPLOYEE,
                private=False,
                created_at__gte=thread.first_customer_message_at,
            )
            .order_by("created_at", "id")
            .values_list("created_at", flat=True)
            .first()
        )


@transaction.atomic
def thread_merge(*, source: Thread, target: Thread, employee: Employee) -> Thread:
    """Move ``source``'s messages (with their files and e-mails) and events into ``target``.

    Both threads keep their history: ``target`` gets a MERGED event naming ``source``, and
    ``source`` stays, closed and empty, with a MERGED_INTO event and ``merged_into`` set, so
    that replies to its e-mails and its conversation link lead to ``target``. ``target`` is
    unread (and open) when either was; its derived fields are computed again from the
    messages. The counters move by the two threads' changes (the message totals do not move).
    """
    if source.pk == target.pk:
        raise ThreadError(_("A conversation cannot be merged into itself."))
    first, second = sorted([source, target], key=lambda t: t.pk)
    locked = {thread.pk: thread_lock(thread) for thread in (first, second)}
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise ThreadError(_("This conversation was already merged into another one."))
    before = {pk: Counted.of(thread) for pk, thread in locked.items()}
    moved = Message.objects.filter(thread=source).update(thread=target)
    ThreadEvent.objects.filter(thread=source).update(thread=target)
    OutboundEmail.objects.filter(thread=source).update(thread=target)
    # Threads merged into the source earlier now lead to the target (one step, never a chain).
    Thread.objects.filter(merged_into=source).update(merged_into=target)

    events: list[Event] = []
    unread = source.is_unread or target.is_unread
    previous = target.status
    if unread and status_set(target, Status.OPEN):
        event_add(target, EventKind.STATUS, employee, old=previous, new=Status.OPEN)
        events.append(
            Event(
                Topic.STATUS_CHANGED, employee=employee, data={"old": previous, "new": Status.OPEN}
            )
        )
    target.is_unread = unread
    target.customer_id = target.customer_id or source.customer_id
    target.order_id = target.order_id or source.order_id
    _derived_from_messages(target)
    target.save()
    thread_search_refresh(thread_ids=[source.pk, target.pk])
    event_add(
        target, EventKind.MERGED, employee, other=source.pk, email=source.email, messages=moved
    )
    events_publish(thread=target, events=events)

    old_status = source.status
    status_set(source, Status.CLOSED)
    source.is_unread = False
    source.merged_into = target
    _derived_from_messages(source)
    source.save()
    event_add(source, EventKind.MERGED_INTO, employee, other=target.pk, messages=moved)
    if old_status != Status.CLOSED:
        _status_changed(source, employee, old_status, Status.CLOSED)
    counters_apply(
        deltas_sum(
            *(counter_deltas(before[pk], Counted.of(thread)) for pk, thread in locked.items())
        )
    )
    return target


@transaction.atomic
def thread_link_renew(*, thread: Thread, employee: Employee) -> OutboundEmail:
    """Replace the conversation link's secret (the old link stops working at once) and e-mail
    the new link to the thread's address, in the thread's language."""
    thread = thread_lock(thread)
    thread.link_secret = new_thread_token()
    thread.save(update_fields=["link_secret", "updated_at"])
    from_email, from_name = emails.thread_sender(thread)
    email = emails.email_queue(
        kind=EmailKind.LINK,
        template="threads/email/link.txt",
        context={"thread": thread, "link": emails.conversation_url(thread)},
        language=thread.language,
        to_email=thread.email,
        to_name=thread.customer.full_name if thread.customer else "",
        from_email=from_email,
        from_name=from_name,
        thread=thread,
    )
    event_add(thread, EventKind.LINK_RENEWED, employee, to=thread.email)
    return email


SAVED_FILTERS_LIMIT = 30


@transaction.atomic
def saved_filter_save(*, employee: Employee, name: str, query: str) -> SavedFilter:
    """Keep the list's ``query`` (``ListParams.saved_query``) under ``name`` for ``employee``;
    one of theirs with the same name is replaced. At most ``SAVED_FILTERS_LIMIT`` each."""
    name = name.strip()
    if not name:
        raise ThreadError(_("Give the filter a name."))
    mine = SavedFilter.objects.select_for_update().filter(employee=employee)
    existing = mine.filter(name=name).first()
    if existing is not None:
        existing.query = query
        existing.save(update_fields=["query"])
        return existing
    if mine.count() >= SAVED_FILTERS_LIMIT:
        raise ThreadError(
            _("You can keep %(count)s saved filters: delete one first.")
            % {"count": SAVED_FILTERS_LIMIT}
        )
    return SavedFilter.objects.create(employee=employee, name=name, query=query)


def saved_filter_delete(*, saved_filter: SavedFilter) -> None:
    """Forget a saved filter (loaded for its owner: ``saved_filter_get_for_employee``)."""
    saved_filter.delete()
