"""The "Unmatched mail" page: messages that found no thread, and messages that failed."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.lib.params import int_param
from comptoir.mail.inbound import mail_max_bytes
from comptoir.mail.models import InboundMail, InboundStatus
from comptoir.mail.parse import MailParseError, parse_mail
from comptoir.mail.process import (
    inbound_attach,
    inbound_discard,
    inbound_make_thread,
    inbound_retry,
)
from comptoir.staff.access import employee_required, signed_in_employee
from comptoir.threads.access import threads_for_employee

WAITING = [InboundStatus.UNMATCHED, InboundStatus.FAILED]
PAGE_SIZE = 50


def _waiting(pk: int) -> InboundMail:
    inbound = InboundMail.objects.filter(pk=pk, status__in=WAITING).first()
    if inbound is None:
        raise Http404
    return inbound


@employee_required
def unmatched_list(request: HttpRequest) -> HttpResponse:
    rows = InboundMail.objects.filter(status__in=WAITING).order_by("-id")
    before = int_param(request.GET.get("before", ""))
    if before is not None:
        rows = rows.filter(pk__lt=before)
    page = list(rows[: PAGE_SIZE + 1])
    return render(
        request,
        "mail/unmatched.html",
        {
            "mails": page[:PAGE_SIZE],
            "older": page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None,
            "mail_cap": mail_max_bytes(),
        },
    )


@employee_required
def unmatched_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inbound = _waiting(pk)
    try:
        parsed = parse_mail(bytes(inbound.raw))
    except MailParseError:
        parsed = None
    context = {"inbound": inbound, "parsed": parsed, "mail_cap": mail_max_bytes()}
    return render(request, "mail/unmatched_detail.html", context)


@employee_required
@require_POST
def unmatched_action(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    inbound = _waiting(pk)
    action = request.POST.get("action", "")
    if action == "attach":
        number = int_param(request.POST.get("thread", "").strip().lstrip("#"))
        thread = (
            threads_for_employee(employee).filter(pk=number).first() if number is not None else None
        )
        if thread is None:
            messages.error(request, _("There is no thread with this number."))
            return redirect("unmatched:detail", pk=pk)
        inbound_attach(inbound=inbound, thread=thread, employee=employee)
        messages.success(request, _("The message was added to the thread."))
        return redirect("desk:thread", pk=thread.pk)
    if action == "new":
        thread = inbound_make_thread(inbound=inbound, employee=employee)
        messages.success(request, _("A new thread was made from the message."))
        return redirect("desk:thread", pk=thread.pk)
    if action == "discard":
        inbound_discard(inbound=inbound, employee=employee)
        messages.success(request, _("The message was discarded."))
    elif action == "retry":
        inbound_retry(inbound=inbound, employee=employee)
        messages.success(request, _("The message will be processed again."))
    return redirect("unmatched:list")
