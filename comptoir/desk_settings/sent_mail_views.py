"""The "Sent mail" pages: what comptoir wrote to the outbox, and what became of it.

Any employee may read them (a shop without a mail server sees here what would have been sent).
The list pages by keyset (``?before=<id>``): one indexed query per page, no COUNT(*).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from comptoir.lib.params import int_param
from comptoir.staff.access import employee_required
from comptoir.threads.models import OutboundEmail

PAGE_SIZE = 50


def _before(request: HttpRequest) -> int | None:
    return int_param(request.GET.get("before", ""))


@employee_required
def sent_mail_list(request: HttpRequest) -> HttpResponse:
    before = _before(request)
    emails = OutboundEmail.objects.defer("body_text", "references", "in_reply_to").order_by("-id")
    if before is not None:
        emails = emails.filter(id__lt=before)
    page = list(emails[: PAGE_SIZE + 1])
    older = page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None
    return render(
        request,
        "desk_settings/sent_mail.html",
        {"emails": page[:PAGE_SIZE], "older": older, "is_first_page": before is None},
    )


def _address(name: str, address: str) -> str:
    return f"{name} <{address}>" if name else f"<{address}>"


def mail_headers(email: OutboundEmail) -> list[tuple[str, str]]:
    """The e-mail's header fields, named as in the message itself (RFC 5322: not translated)."""
    headers = [
        ("From", _address(email.from_name, email.from_email)),
        ("To", _address(email.to_name, email.to_email)),
        ("Reply-To", _address("", email.reply_to) if email.reply_to else ""),
        ("Subject", email.subject),
        ("Message-ID", email.header_message_id),
        ("In-Reply-To", email.in_reply_to),
        ("References", email.references),
    ]
    return [(name, value) for name, value in headers if value]


@employee_required
def sent_mail_detail(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(OutboundEmail, pk=pk)
    return render(
        request,
        "desk_settings/sent_mail_detail.html",
        {"email": email, "headers": mail_headers(email), "attachments": email.attachments.all()},
    )
