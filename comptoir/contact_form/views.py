from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from comptoir.contact_form.forms import SPAM_MESSAGE, ContactMessageForm
from comptoir.lib.http import client_address, post_data
from comptoir.lib.tokens import same_secret
from comptoir.threads.contact_messages import (
    Submission,
    SubmitError,
    contact_message_rate_limited,
    contact_message_submit,
)
from comptoir.threads.models import DeskSettings, Thread

PublicView = Callable[..., HttpResponse]


def public_language(view: PublicView) -> PublicView:
    """``?lang=fr`` chooses the language (and remembers it); else the cookie or the browser's."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        chosen = request.GET.get("lang", "")
        if chosen in dict(settings.LANGUAGES):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = view(request, *args, **kwargs)
        if chosen in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, chosen, max_age=365 * 24 * 3600, samesite="Lax"
            )
        return response

    return wrapped


def thread_get_for_token(token: str) -> Thread | None:
    """The thread whose secret token this is, compared in constant time; None otherwise."""
    if not token.isalnum() or not 16 <= len(token) <= 32:
        return None
    thread = Thread.objects.filter(token=token).select_related("contact", "order").first()
    if thread is None or not same_secret(token, thread.token):
        return None
    return thread


def _handle(request: HttpRequest, thread: Thread | None) -> HttpResponse:
    language = translation.get_language() or settings.LANGUAGE_CODE
    desk_settings = DeskSettings.load()
    form = ContactMessageForm(
        post_data(request),
        request.FILES if request.method == "POST" else None,
        language=language,
        allow_uploads=desk_settings.allow_file_uploads,
        thread=thread,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if contact_message_rate_limited(
                ip_address=client_address(request) or "unknown", email=data["email"]
            ):
                form.add_error(None, SPAM_MESSAGE)
                status = 429
            else:
                try:
                    contact_message_submit(
                        submission=Submission.from_form(
                            data,
                            language=language,
                            ip_address=client_address(request),
                            user_agent=request.headers.get("User-Agent", ""),
                            thread=thread,
                        )
                    )
                except SubmitError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(
                        request, _("Your message has been successfully sent to our team.")
                    )
                    return redirect(f"{reverse('contact_form:sent')}?lang={language}")
        else:
            status = 400
    conversation = (
        thread.messages.filter(private=False).select_related("employee") if thread else []
    )
    return render(
        request,
        "contact_form/contact.html",
        {"form": form, "thread": thread, "conversation": conversation},
        status=status,
    )


@never_cache
@public_language
def contact(request: HttpRequest) -> HttpResponse:
    return _handle(request, None)


@never_cache
@public_language
def conversation(request: HttpRequest, token: str) -> HttpResponse:
    # A wrong or malformed token shows the plain form: nothing tells whether a thread exists.
    return _handle(request, thread_get_for_token(token))


@never_cache
@public_language
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "contact_form/sent.html")


def theme(request: HttpRequest) -> HttpResponse:
    """The shop's colours as CSS variables (a stylesheet, so the CSP needs no inline style)."""
    accent = settings.COMPTOIR_SHOP_ACCENT_COLOR
    css = f":root {{ --shop-accent: {accent}; --shop-accent-dark: {accent}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
