"""/api/v1/threads: read threads with their messages; reply, add a note, set the status, assign,
snooze.

The same access functions and services as the back office: the key acts as its employee.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any, Literal

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer

from comptoir.api.auth import READ, WRITE, acting_employee
from comptoir.api.errors import invalid, not_found
from comptoir.api.forms_bridge import form_errors
from comptoir.api.pagination import BY_CHANGE, NEWEST_FIRST, ListQuery, Page, list_page
from comptoir.api.responses import errors_for
from comptoir.api.schemas import (
    MessageOut,
    StatusName,
    ThreadDetailOut,
    ThreadOut,
)
from comptoir.lib.validation import FieldError
from comptoir.shop.sync import Moment
from comptoir.staff.models import Employee
from comptoir.threads import services
from comptoir.threads.access import (
    attachment_get_for_employee,
    thread_get_for_employee,
    threads_for_employee,
)
from comptoir.threads.cc import CC_MAX
from comptoir.threads.forms import MAX_REPLY_FILES, NoteForm, ReplyForm
from comptoir.threads.messages import Upload
from comptoir.threads.models import Message, Source, Status, Thread
from comptoir.threads.news import Seen
from comptoir.threads.snooze import thread_snooze, thread_unsnooze
from comptoir.threads.storage import attachment_open

router = Router(tags=["threads"])


class ThreadFilters(ListQuery):
    status: StatusName | None = None
    contact_id: int | None = None
    assignee_id: int | None = None
    email: str | None = Field(None, min_length=1, description="The customer's e-mail address.")
    order_reference: str | None = Field(None, min_length=1)
    updated_since: Moment | None = Field(
        None, description="Only threads changed since then, oldest change first (for syncing)."
    )


class FileIn(Schema):
    name: str = Field(min_length=1, max_length=255, description="File name, e.g. invoice.pdf.")
    content_base64: str = Field(description="The file's bytes, base64-encoded.")


class SeenIn(Schema):
    last_seen_message_id: int | None = Field(
        None,
        ge=0,
        description="The newest message id the caller saw (0: none). When given, nothing is "
        "written if a message arrived since (a customer's, a colleague's reply or note): the "
        "answer is 412 with the news.",
    )
    last_seen_event_id: int | None = Field(
        None,
        ge=0,
        description="With last_seen_message_id: the newest event id the caller saw; a status "
        "change since is news too.",
    )

    def seen(self) -> Seen | None:
        if self.last_seen_message_id is None:
            return None
        return Seen(self.last_seen_message_id, self.last_seen_event_id)


class ReplyIn(SeenIn):
    text: str = Field(min_length=1, max_length=20_000)
    cc: list[str] = Field(
        [],
        max_length=CC_MAX,
        description="Addresses that get a copy (none unless given; the desk offers the ones the "
        "customer copied, the API leaves the choice to the caller).",
    )
    status_after: StatusName = Field(
        "closed", description='The status after the reply; "closed" is shown as "handled".'
    )
    attachments: list[FileIn] = Field([], max_length=MAX_REPLY_FILES)


class NoteIn(SeenIn):
    text: str = Field(min_length=1, max_length=20_000)


class NewsOut(Schema):
    kind: Literal["customer", "reply", "note", "status"]
    at: datetime
    employee_id: int | None
    employee_name: str
    text: str = Field(description="The message's text (empty for a status change).")
    old_status: str = Field(description="For a status change: the status before.")
    new_status: str = Field(description="For a status change: the status after.")


class ChangedOut(Schema):
    """412: the thread changed since what the caller saw; nothing was written."""

    code: Literal["thread_changed"]
    message: str
    news: list[NewsOut]
    last_message_id: int = Field(description="Send again with this to write anyway.")
    last_event_id: int


def _changed(exc: services.ThreadChanged) -> Answer[dict[str, object]]:
    news = [
        {
            "kind": item.kind,
            "at": item.at,
            "employee_id": item.employee.pk if item.employee else None,
            "employee_name": item.employee.full_name if item.employee else "",
            "text": item.text,
            "old_status": item.old,
            "new_status": item.new,
        }
        for item in exc.news
    ]
    body: dict[str, object] = {
        "code": "thread_changed",
        "message": str(exc),
        "news": news,
        "last_message_id": exc.seen.message_id,
        "last_event_id": exc.seen.event_id or 0,
    }
    return Answer(412, body)


class StatusIn(Schema):
    status: StatusName


class SnoozeIn(Schema):
    until: datetime | None = Field(
        description="Set the thread aside until then (within a year); null: bring it back now."
    )


class AssigneeIn(Schema):
    employee_id: int | None = Field(description="The employee to give the thread to; null: nobody.")


def _thread(request: HttpRequest, thread_id: int) -> Thread:
    return thread_get_for_employee(acting_employee(request), thread_id)


def decode_files(files: list[FileIn], field: str) -> list[UploadedFile]:
    """The uploaded files of a JSON body; a field error for content that is not base64."""
    decoded: list[UploadedFile] = []
    for index, item in enumerate(files):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            message = _("This is not valid base64.")
            location = f"{field}.{index}.content_base64"
            raise invalid([FieldError(location, message, "invalid_base64")]) from None
        decoded.append(SimpleUploadedFile(item.name, content))
    return decoded


@router.get("/threads", response={200: Page[ThreadOut], **errors_for(READ)}, auth=READ)
def threads_list(request: HttpRequest, filters: Query[ThreadFilters]) -> dict[str, object]:
    """Threads, newest first; with ``updated_since``, by time of last change (oldest first)."""
    rows = threads_for_employee(acting_employee(request)).select_related("customer", "order")
    if filters.status:
        rows = rows.filter(status=filters.status)
    # Through the relation's key: an id no row can have then finds nothing (Django checks the
    # range), where ``assignee_id=`` sent it to the database (SQLite: OverflowError).
    if filters.contact_id is not None:
        rows = rows.filter(contact__pk=filters.contact_id)
    if filters.assignee_id is not None:
        rows = rows.filter(assignee__pk=filters.assignee_id)
    if filters.email:
        rows = rows.filter(email=filters.email)  # normalised by the field
    if filters.order_reference:
        rows = rows.filter(order__reference=filters.order_reference.strip())
    if filters.updated_since:
        rows = rows.filter(updated_at__gte=filters.updated_since)
    keyset = NEWEST_FIRST if filters.updated_since is None else BY_CHANGE
    return list_page(rows, keyset=keyset, query=filters)


@router.get(
    "/threads/{thread_id}",
    response={200: ThreadDetailOut, **errors_for(READ, 404)},
    auth=READ,
)
def thread_get(request: HttpRequest, thread_id: int) -> Thread:
    """One thread with every message, oldest first (private notes included)."""
    return _thread(request, thread_id)


def _message(message: Message) -> Message:
    """The message again, with what ``MessageOut`` reads."""
    loaded = Message.objects.select_related("outbound_email").prefetch_related("attachments")
    return loaded.get(pk=message.pk)


@router.post(
    "/threads/{thread_id}/replies",
    response={201: MessageOut, 412: ChangedOut, **errors_for(WRITE, 404, 422)},
    auth=WRITE,
)
def thread_reply(request: HttpRequest, thread_id: int, payload: ReplyIn) -> Answer[Any]:
    """Answer the customer: the reply is e-mailed (queued), the status set (default "handled").

    With ``last_seen_message_id``, a thread that changed since (a new message, or with
    ``last_seen_event_id`` a status change) gets no reply: 412 and the news, with the ids to
    send again with."""
    thread = _thread(request, thread_id)
    files = decode_files(payload.attachments, "attachments")
    form = ReplyForm(
        {"text": payload.text, "status_after": payload.status_after, "cc": ", ".join(payload.cc)},
        MultiValueDict({"attachments": files}),
    )
    if not form.is_valid():
        raise invalid(form_errors(form))
    try:
        message = services.thread_reply_with_files(
            thread=thread,
            employee=acting_employee(request),
            text=form.cleaned_data["text"],
            status_after=Status(form.cleaned_data["status_after"]),
            uploads=[
                Upload(content=f, name=f.name or "file", content_type=kind)
                for f, kind in form.cleaned_data["attachments"]
            ],
            source=Source.API,
            seen=payload.seen(),
            cc=form.cleaned_data["cc"],
        )
    except services.ThreadChanged as exc:
        return _changed(exc)
    except services.ThreadError as exc:  # e.g. a saved reply's variable without a value
        raise invalid([FieldError("text", str(exc), "invalid")]) from None
    return Answer(201, _message(message))


@router.post(
    "/threads/{thread_id}/notes",
    response={201: MessageOut, 412: ChangedOut, **errors_for(WRITE, 404, 422)},
    auth=WRITE,
)
def thread_note(request: HttpRequest, thread_id: int, payload: NoteIn) -> Answer[Any]:
    """A private note: employees only, never e-mailed. ``last_seen_message_id`` as for a
    reply (412 and the news)."""
    thread = _thread(request, thread_id)
    form = NoteForm({"note": payload.text})
    if not form.is_valid():
        raise invalid(form_errors(form, rename={"note": "text"}))
    try:
        message = services.thread_note(
            thread=thread,
            employee=acting_employee(request),
            text=form.cleaned_data["note"],
            source=Source.API,
            seen=payload.seen(),
        )
    except services.ThreadChanged as exc:
        return _changed(exc)
    except services.ThreadError as exc:
        raise invalid([FieldError("text", str(exc), "invalid")]) from None
    return Answer(201, _message(message))


@router.put(
    "/threads/{thread_id}/status",
    response={200: ThreadOut, **errors_for(WRITE, 404, 422)},
    auth=WRITE,
)
def thread_set_status(request: HttpRequest, thread_id: int, payload: StatusIn) -> Thread:
    thread = _thread(request, thread_id)
    services.thread_set_status(
        thread=thread, employee=acting_employee(request), status=Status(payload.status)
    )
    return _thread(request, thread_id)


@router.put(
    "/threads/{thread_id}/snooze",
    response={200: ThreadOut, **errors_for(WRITE, 404, 422)},
    auth=WRITE,
)
def thread_set_snooze(request: HttpRequest, thread_id: int, payload: SnoozeIn) -> Thread:
    """Set the thread aside until ``until``: it leaves the open views, keeps its status, and
    comes back open and unread then (or at the customer's next message); null brings it back."""
    thread = _thread(request, thread_id)
    employee = acting_employee(request)
    try:
        if payload.until is None:
            thread_unsnooze(thread=thread, employee=employee)
        else:
            thread_snooze(thread=thread, employee=employee, until=payload.until)
    except services.ThreadError as exc:
        raise invalid([FieldError("until", str(exc), "invalid")]) from None
    return _thread(request, thread_id)


@router.put(
    "/threads/{thread_id}/assignee",
    response={200: ThreadOut, **errors_for(WRITE, 404, 422)},
    auth=WRITE,
)
def thread_assign(request: HttpRequest, thread_id: int, payload: AssigneeIn) -> Thread:
    thread = _thread(request, thread_id)
    assignee = None
    if payload.employee_id is not None:
        assignee = Employee.objects.filter(pk=payload.employee_id).first()
        if assignee is None:
            message = _("No employee has this id.")
            raise invalid([FieldError("employee_id", message, "unknown")])
    try:
        services.thread_assign(thread=thread, employee=acting_employee(request), assignee=assignee)
    except services.ThreadError as exc:
        raise invalid([FieldError("employee_id", str(exc), "inactive")]) from None
    return _thread(request, thread_id)


@router.get(
    "/attachments/{attachment_id}",
    response={200: None, **errors_for(READ, 404)},
    auth=READ,
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as a download.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    """An attachment's bytes (its type and name are in the message's ``attachments``)."""
    attachment = attachment_get_for_employee(acting_employee(request), attachment_id)
    try:
        handle = attachment_open(attachment)
    except FileNotFoundError:
        raise not_found() from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
