"""What happened in a thread since an employee loaded it: the collision rule's facts.

A reply or note form carries what its page showed (``Seen``: the newest message and event ids);
on Send, ``thread_news`` lists what came after — a customer's message, a colleague's reply or
note, a status change — and the service sends nothing while that list is not empty
(``services.ThreadChanged``). The employee's own messages count too: a second click on "Send"
after the first went through is news, so a reply is sent once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max

from comptoir.staff.models import Employee
from comptoir.threads.models import Author, EventKind, Message, ThreadEvent

NEWS_SHOWN = 10


class NewsKind:
    CUSTOMER = "customer"
    REPLY = "reply"
    NOTE = "note"
    STATUS = "status"


@dataclass(frozen=True, slots=True)
class Seen:
    """The newest message and event of a thread when its page was drawn (0: none; an event
    id of None: status changes are not compared, as when an API caller gives a message id only)."""

    message_id: int
    event_id: int | None

    def as_text(self) -> str:
        return f"{self.message_id}.{self.event_id}"


@dataclass(frozen=True, slots=True)
class News:
    kind: str
    at: datetime
    employee: Employee | None
    text: str = ""
    old: str = ""
    new: str = ""


def thread_seen(thread_id: int) -> Seen:
    """The thread's newest message and event ids now."""
    newest_message = Message.objects.filter(thread_id=thread_id).aggregate(top=Max("id"))["top"]
    newest_event = ThreadEvent.objects.filter(thread_id=thread_id).aggregate(top=Max("id"))["top"]
    return Seen(newest_message or 0, newest_event or 0)


def thread_news(thread_id: int, seen: Seen) -> list[News]:
    """The messages and status changes after ``seen``, oldest first (at most ``NEWS_SHOWN`` of
    each); two queries."""
    messages = (
        Message.objects.filter(thread_id=thread_id, id__gt=seen.message_id)
        .select_related("employee")
        .order_by("id")[:NEWS_SHOWN]
    )
    news = [
        News(
            NewsKind.CUSTOMER
            if message.author == Author.CUSTOMER
            else NewsKind.NOTE
            if message.private
            else NewsKind.REPLY,
            message.created_at,
            message.employee,
            message.text,
        )
        for message in messages
    ]
    if seen.event_id is None:
        return news
    events = (
        ThreadEvent.objects.filter(thread_id=thread_id, id__gt=seen.event_id, kind=EventKind.STATUS)
        .select_related("employee")
        .order_by("id")[:NEWS_SHOWN]
    )
    news += [
        News(
            NewsKind.STATUS,
            event.created_at,
            event.employee,
            old=str(event.data.get("old", "")),
            new=str(event.data.get("new", "")),
        )
        for event in events
    ]
    news.sort(key=lambda item: item.at)
    return news
