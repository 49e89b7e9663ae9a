from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from comptoir.staff.access import current_employee, employee_required
from comptoir.staff.models import Employee
from comptoir.threads import services
from comptoir.threads.access import (
    attachment_get_for_employee,
    thread_get_for_employee,
    threads_for_employee,
)
from comptoir.threads.storage import attachment_open

PAGE_SIZE = 50


def _employee(request: HttpRequest) -> Employee:
    employee = current_employee(request)
    assert employee is not None  # guaranteed by @employee_required
    return employee


@employee_required
def home(request: HttpRequest) -> HttpResponse:
    threads = (
        threads_for_employee(_employee(request))
        .select_related("contact", "customer", "assignee", "last_employee")
        .order_by("-id")[:PAGE_SIZE]
    )
    return render(request, "threads/home.html", {"threads": threads})


@employee_required
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _employee(request)
    thread = thread_get_for_employee(employee, pk)
    services.thread_mark_read(thread=thread, employee=employee)
    messages = thread.messages.select_related("employee").prefetch_related("attachments")
    return render(request, "threads/thread.html", {"thread": thread, "thread_messages": messages})


@employee_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = attachment_get_for_employee(_employee(request), pk)
    response = FileResponse(
        attachment_open(attachment),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
