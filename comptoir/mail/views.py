"""The mailboxes pages (administrators only). No fetching here: "Run sync" only queues."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.mail import services
from comptoir.mail.connection import mailbox_connect_settings
from comptoir.mail.fetch import mailbox_test_connection
from comptoir.mail.forms import FLAGS, MailboxForm
from comptoir.mail.models import Mailbox
from comptoir.staff.access import administrator_required


@administrator_required
@require_GET
def mailboxes(request: HttpRequest) -> HttpResponse:
    """Every mailbox, with where it is fetched from, its contact and how its last sync went."""
    return render(
        request,
        "mail/mailboxes.html",
        {
            "mailboxes": [
                (mailbox, mailbox_connect_settings(mailbox) if mailbox.host else None)
                for mailbox in services.mailboxes_list()
            ]
        },
    )


def _form(request: HttpRequest, mailbox: Mailbox) -> MailboxForm:
    language = get_language() or "en"
    if request.method == "POST":
        return MailboxForm(request.POST, mailbox=mailbox, language=language)
    return MailboxForm(mailbox=mailbox, language=language)


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
            "has_smtp_password": bool(mailbox.smtp_password_sealed),
        },
        status=status,
    )


def _edit(request: HttpRequest, current: Mailbox) -> HttpResponse:
    form = _form(request, current)
    if request.method != "POST":
        return _page(request, form, current, status=200)
    if form.is_valid():
        try:
            saved = services.mailbox_update(mailbox=current, **form.cleaned_data)
        except services.MailboxSettingsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Successful update."))
            return redirect("mail:mailbox_edit", pk=saved.pk)
    return _page(request, form, current, status=400)


@administrator_required
@require_http_methods(["GET", "POST"])
def mailbox_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, Mailbox())


@administrator_required
@require_http_methods(["GET", "POST"])
def mailbox_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Mailbox, pk=pk))


@administrator_required
@require_POST
def mailbox_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.mailbox_delete(mailbox=get_object_or_404(Mailbox, pk=pk))
    messages.success(request, _("The mailbox was removed; the mail it brought in stays."))
    return redirect("mail:mailbox")


@administrator_required
@require_POST
def mailbox_test(request: HttpRequest, pk: int) -> HttpResponse:
    ok, text = mailbox_test_connection(get_object_or_404(Mailbox, pk=pk))
    (messages.success if ok else messages.error)(request, text)
    return redirect("mail:mailbox_edit", pk=pk)


@administrator_required
@require_POST
def mailbox_sync(request: HttpRequest, pk: int) -> HttpResponse:
    if services.mailbox_request_sync(mailbox=get_object_or_404(Mailbox, pk=pk)):
        messages.success(
            request,
            _("Sync requested: the worker fetches the mailbox within a few seconds."),
        )
    else:
        messages.error(request, _("Save the server, user and password before running a sync."))
    return redirect("mail:mailbox_edit", pk=pk)
