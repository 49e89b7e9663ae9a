"""The mailbox settings page (administrators only). No fetching here: "Run sync" only queues."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.mail import services
from comptoir.mail.connection import mailbox_connect_settings
from comptoir.mail.fetch import mailbox_test_connection
from comptoir.mail.forms import FLAGS, MailboxForm
from comptoir.mail.inbound import inbound_too_large, mail_max_bytes
from comptoir.mail.models import Mailbox
from comptoir.staff.access import administrator_required


def _page(request: HttpRequest, form: MailboxForm, mailbox: Mailbox, status: int) -> HttpResponse:
    return render(
        request,
        "mail/mailbox.html",
        {
            "form": form,
            "mailbox": mailbox,
            "flag_fields": [form[name] for name in FLAGS],
            "plan": mailbox_connect_settings(mailbox) if mailbox.host else None,
            "has_password": bool(mailbox.password_sealed),
            "too_large": inbound_too_large(mailbox=mailbox) if mailbox.pk else [],
            "mail_cap": mail_max_bytes(),
        },
        status=status,
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def mailbox(request: HttpRequest) -> HttpResponse:
    current = services.mailbox_get()
    if request.method != "POST":
        return _page(request, MailboxForm(mailbox=current), current, status=200)
    form = MailboxForm(request.POST, mailbox=current)
    if form.is_valid():
        try:
            services.mailbox_update(mailbox=current, **form.cleaned_data)
        except services.MailboxSettingsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Successful update."))
            return redirect("mail:mailbox")
    return _page(request, form, current, status=400)


@administrator_required
@require_POST
def mailbox_test(request: HttpRequest) -> HttpResponse:
    ok, text = mailbox_test_connection(services.mailbox_get())
    (messages.success if ok else messages.error)(request, text)
    return redirect("mail:mailbox")


@administrator_required
@require_POST
def mailbox_sync(request: HttpRequest) -> HttpResponse:
    if services.mailbox_request_sync(mailbox=services.mailbox_get()):
        messages.success(
            request,
            _("Sync requested: the worker fetches the mailbox within a few seconds."),
        )
    else:
        messages.error(request, _("Save the server, user and password before running a sync."))
    return redirect("mail:mailbox")
