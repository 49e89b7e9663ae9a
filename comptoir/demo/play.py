"""Playing one planned conversation through ``threads.services``, as the desk would write it.

The services stamp everything with ``timezone.now()``: after each step the rows that step created
are moved to the step's planned time in the past, and the values a thread derives from its
messages are settled from the moved rows at the end.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max

from comptoir.demo.attachments import attachment_content
from comptoir.demo.conversations import ContactKey, Turn
from comptoir.demo.plan import Step, ThreadPlan
from comptoir.staff.models import Employee
from comptoir.threads.arrivals import thread_open, thread_receive
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import (
    Attachment,
    Author,
    Contact,
    EmailStatus,
    EventKind,
    Message,
    OutboundEmail,
    Source,
    Thread,
    ThreadEvent,
)
from comptoir.threads.services import (
    thread_assign,
    thread_forward,
    thread_mark_read,
    thread_note,
    thread_reply,
    thread_set_status,
)
from comptoir.threads.storage import attachment_store


@dataclass
class Desk:
    """What playing a conversation needs."""

    admin: Employee
    agents: dict[str, Employee]
    contacts: dict[ContactKey, Contact | None]
    default_messages: dict[str, str]
    since: datetime  # rows created from this instant on are ours, to be moved in time


def with_default_message(default_message: str, body: str) -> str:
    """``body`` between the greeting and the closing of the desk's default message."""
    greeting, blank, closing = default_message.strip().partition("\n\n")
    if not greeting:
        return body
    if not blank:
        return f"{greeting}\n\n{body}"
    return f"{greeting}\n\n{body}\n\n{closing}"


def _incoming(plan: ThreadPlan, step: Step, thread_id: int | None) -> CustomerMessage:
    assert step.turn is not None
    in_reply_to = references = ""
    if thread_id is not None and step.source == Source.EMAIL:
        ids = list(
            Message.objects.filter(thread_id=thread_id)
            .exclude(message_id="")
            .order_by("created_at", "id")
            .values_list("message_id", flat=True)
        )[-10:]
        in_reply_to, references = (ids[-1] if ids else ""), " ".join(ids)
    from_form = step.source == Source.FORM
    return CustomerMessage(
        text=step.turn.text.format_map(plan.values),
        source=step.source,
        ip_address=plan.ip_address if from_form else None,
        user_agent=plan.user_agent if from_form else "",
        message_id=step.message_id,
        in_reply_to=in_reply_to,
        references=references,
    )


def _attachments(plan: ThreadPlan, turn: Turn) -> list[Attachment]:
    if not (turn.attachment and plan.with_attachment):
        return []
    data, content_type = attachment_content(turn.attachment, plan.values)
    return [
        attachment_store(
            content=io.BytesIO(data), original_name=turn.attachment, content_type=content_type
        )
    ]


def _stamp(thread_id: int, at: datetime, since: datetime) -> None:
    """Move what the last step created (stamped "now" by the services) to its planned time."""
    Message.objects.filter(thread_id=thread_id, created_at__gte=since).update(created_at=at)
    Message.objects.filter(thread_id=thread_id, read_at__gte=since).update(read_at=at)
    Attachment.objects.filter(message__thread_id=thread_id, created_at__gte=since).update(
        created_at=at
    )
    ThreadEvent.objects.filter(thread_id=thread_id, created_at__gte=since).update(created_at=at)
    OutboundEmail.objects.filter(thread_id=thread_id, created_at__gte=since).update(
        created_at=at,
        next_attempt_at=at,
        status=EmailStatus.SENT,
        attempts=1,
        sent_at=at + timedelta(seconds=4),
    )


def _settle(thread_id: int, created_at: datetime) -> None:
    """Recompute the values a thread derives from its messages, from their moved times."""
    messages = list(
        Message.objects.filter(thread_id=thread_id)
        .order_by("created_at", "id")
        .values_list("author", "private", "created_at")
    )
    from_customer = [at for author, _private, at in messages if author == Author.CUSTOMER]
    from_employee = [at for author, _private, at in messages if author == Author.EMPLOYEE]
    first_customer = from_customer[0] if from_customer else None
    first_response = None
    if first_customer is not None:
        first_response = next(
            (
                at
                for author, private, at in messages
                if author == Author.EMPLOYEE and not private and at >= first_customer
            ),
            None,
        )
    events = ThreadEvent.objects.filter(thread_id=thread_id)
    status_changed = (
        events.filter(kind__in=[EventKind.STATUS, EventKind.REOPENED])
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    last_event = events.aggregate(last=Max("created_at"))["last"] or created_at
    Thread.objects.filter(pk=thread_id).update(
        created_at=created_at,
        last_message_at=messages[-1][2],
        last_customer_message_at=from_customer[-1] if from_customer else None,
        last_employee_message_at=from_employee[-1] if from_employee else None,
        first_customer_message_at=first_customer,
        first_response_at=first_response,
        status_changed_at=status_changed or created_at,
        updated_at=max(messages[-1][2], last_event),
    )


def thread_play(*, plan: ThreadPlan, desk: Desk) -> int:
    """Write one conversation through the services, step by step; returns the thread's id."""
    language = plan.script.language
    agent = desk.agents[language]
    assignee: Employee | None = None
    thread_id: int | None = None
    for step in plan.steps:
        turn = step.turn
        if step.kind == "open":
            assert turn is not None
            thread, _message = thread_open(
                email=plan.email,
                incoming=_incoming(plan, step, None),
                language=language,
                contact=desk.contacts[plan.script.contact],
                customer=plan.customer.row if plan.customer else None,
                order=plan.order.row if plan.order else None,
                product_reference=plan.script.product,
                attachments=_attachments(plan, turn),
            )
            thread_id = thread.pk
        else:
            assert thread_id is not None
            thread = Thread.objects.get(pk=thread_id)
            actor = assignee or agent
            if step.kind == "assign":
                thread_assign(thread=thread, employee=desk.admin, assignee=agent)
                assignee = agent
            elif step.kind == "customer":
                assert turn is not None
                thread_receive(
                    thread=thread,
                    incoming=_incoming(plan, step, thread_id),
                    attachments=_attachments(plan, turn),
                )
            else:
                assert turn is not None
                thread_mark_read(thread=thread, employee=actor)
                assignee = _employee_step(plan, desk, thread, actor, turn) or assignee
        _stamp(thread_id, step.at, desk.since)
    assert thread_id is not None
    _settle(thread_id, plan.steps[0].at)
    return thread_id


def _employee_step(
    plan: ThreadPlan, desk: Desk, thread: Thread, actor: Employee, turn: Turn
) -> Employee | None:
    """An answer, a note, a status or a forward; returns the new assignee if it changed."""
    text = turn.text.format_map(plan.values)
    if turn.kind == "reply":
        default_message = desk.default_messages[plan.script.language]
        thread_reply(
            thread=thread,
            employee=actor,
            text=with_default_message(default_message, text),
            status_after=turn.status,
        )
    elif turn.kind == "note":
        thread_note(thread=thread, employee=actor, text=text)
    elif turn.kind == "mark":
        thread_set_status(thread=thread, employee=actor, status=turn.status)
    elif turn.kind == "forward":
        if turn.forward_to == "admin":
            if actor.pk == desk.admin.pk:
                return None
            thread_forward(thread=thread, employee=actor, comment=text, to_employee=desk.admin)
            return desk.admin
        thread_forward(thread=thread, employee=actor, comment=text, to_email=turn.forward_to)
    return None
