"""The mailboxes pages (administrators only). No fetching here: "Run sync" only queues."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.mail import oauth, services
from comptoir.mail.check import Check, Outcome, mailbox_check
from comptoir.mail.connection import mailbox_connect_settings
from comptoir.mail.forms import FLAGS, MailboxForm
from comptoir.mail.inbound import inbound_too_large, mail_max_bytes
from comptoir.mail.models import Mailbox, OAuthProvider
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


def _page(
    request: HttpRequest,
    form: MailboxForm,
    mailbox: Mailbox,
    status: int,
    checks: list[Check] | None = None,
) -> HttpResponse:
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
            "oauth_connected": bool(mailbox.oauth_refresh_token_sealed),
            "redirect_uri": oauth.oauth_redirect_uri(),
            "providers": OAuthProvider,
            "checks": checks,
            "too_large": inbound_too_large(mailbox=mailbox) if mailbox.pk else [],
            "mail_cap": mail_max_bytes(),
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
            if request.POST.get("connect") in OAuthProvider.values:
                return _oauth_go(request, saved)
            messages.success(request, _("Successful update."))
            return redirect("mail:mailbox_edit", pk=saved.pk)
    return _page(request, form, current, status=400)


SESSION_KEY = "mail_oauth"


def _oauth_go(request: HttpRequest, mailbox: Mailbox) -> HttpResponse:
    """To the provider's consent page; the state and the PKCE verifier wait in the session."""
    try:
        start = oauth.oauth_start(mailbox=mailbox)
    except oauth.OAuthError as exc:
        messages.error(request, str(exc))
        return redirect("mail:mailbox_edit", pk=mailbox.pk)
    request.session[SESSION_KEY] = {
        "state": start.state,
        "verifier": start.verifier,
        "mailbox": mailbox.pk,
    }
    # A page that moves on by itself rather than a redirect: the CSP's form-action 'self' would
    # stop a form's redirect to the provider.
    return render(
        request,
        "mail/oauth_go.html",
        {"mailbox": mailbox, "url": start.url, "host": urlsplit(start.url).netloc},
    )


@administrator_required
@require_POST
def oauth_connect(request: HttpRequest, pk: int) -> HttpResponse:
    """Connect (or reconnect) with the saved OAuth2 settings."""
    return _oauth_go(request, get_object_or_404(Mailbox, pk=pk))


@administrator_required
@require_GET
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """Back from the provider: the state must be the one this session sent, then the code is
    exchanged (with the PKCE verifier) for the tokens."""
    pending = request.session.pop(SESSION_KEY, None)
    state = request.GET.get("state", "")
    if (
        not isinstance(pending, dict)
        or not state
        or not secrets.compare_digest(str(pending.get("state", "")), state)
    ):
        messages.error(
            request,
            _(
                "This answer from the provider does not match a connection started here: "
                "connect again."
            ),
        )
        return redirect("mail:mailbox")
    mailbox = get_object_or_404(Mailbox, pk=pending.get("mailbox"))
    error = request.GET.get("error", "")
    code = request.GET.get("code", "")
    if error or not code:
        messages.error(
            request,
            _("The provider did not give access (%(reason)s): nothing was changed.")
            % {"reason": request.GET.get("error_description") or error or _("no code")},
        )
        return redirect("mail:mailbox_edit", pk=mailbox.pk)
    try:
        oauth.oauth_finish(mailbox=mailbox, code=code, verifier=str(pending["verifier"]))
    except oauth.OAuthError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Connected: comptoir can now read and send the mail of %(user)s.")
            % {"user": mailbox.username},
        )
    return redirect("mail:mailbox_edit", pk=mailbox.pk)


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
    """Each step of receiving and sending, shown on the mailbox's page (nothing is changed)."""
    mailbox = get_object_or_404(Mailbox, pk=pk)
    checks = mailbox_check(mailbox)
    if checks[0].ok:
        plan = mailbox_connect_settings(mailbox)
        if checks[0].steps[1].outcome == Outcome.OK:
            text = _("Connection successful: logged in to %(where)s, encrypted (TLS).")
        else:
            text = _("Connection successful: logged in to %(where)s, NOT encrypted.")
        messages.success(request, text % {"where": f"{plan.host}:{plan.port}"})
    mailbox.refresh_from_db()
    form = MailboxForm(mailbox=mailbox, language=get_language() or "en")
    return _page(request, form, mailbox, status=200, checks=checks)


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
