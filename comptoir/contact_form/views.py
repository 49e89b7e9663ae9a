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
from comptoir.lib.colours import colour_readable
from comptoir.lib.http import client_address, post_data
from comptoir.lib.tokens import same_secret
from comptoir.threads.contact_messages import (
    Submission,
    SubmitError,
    contact_message_rate_limited,
    contact_message_submit,
)
from comptoir.threads.models import Contact, DeskSettings, Thread

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
    """The thread whose link secret this is, compared in constant time; None otherwise. The
    link of a thread merged into another opens that one."""
    if not token.isalnum() or not 16 <= len(token) <= 32:
        return None
    thread = Thread.objects.filter(link_secret=token).first()
    if thread is None or not same_secret(token, thread.link_secret):
        return None
    pk = thread.merged_into_id or thread.pk
    return Thread.objects.select_related("contact", "order").filter(pk=pk).first()


def _handle(
    request: HttpRequest, thread: Thread | None, *, link_invalid: bool = False
) -> HttpResponse:
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
                    messages.info(request, _what_follows(data["contact"]))
                    return redirect(f"{reverse('contact_form:sent')}?lang={language}")
        else:
            status = 400
    conversation = (
        thread.messages.filter(private=False).select_related("employee") if thread else []
    )
    if link_invalid and status == 200:
        status = 404
    return render(
        request,
        "contact_form/contact.html",
        {
            "form": form,
            "thread": thread,
            "conversation": conversation,
            "link_invalid": link_invalid,
            "consent_notice": desk_settings.consent_notice_in(language),
            "privacy_policy_url": desk_settings.privacy_policy_url,
        },
        status=status,
    )


def _what_follows(contact: Contact) -> str:
    """What the thank-you page says happens next: what really happened to the message."""
    if not contact.save_messages:
        # Only e-mailed to the contact (contact_message_submit): nothing goes to the customer.
        return _(
            "It was e-mailed to our team, who will answer you by e-mail. No confirmation "
            "e-mail is sent for this subject."
        )
    return _("We have sent you a confirmation e-mail with a link to follow the conversation.")


@never_cache
@public_language
def contact(request: HttpRequest) -> HttpResponse:
    return _handle(request, None)


@never_cache
@public_language
def conversation(request: HttpRequest, token: str) -> HttpResponse:
    # A wrong, malformed or replaced link shows the plain form with a notice (404): the same
    # words whatever the reason, so nothing tells whether a thread exists.
    thread = thread_get_for_token(token)
    return _handle(request, thread, link_invalid=thread is None)


@never_cache
@public_language
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "contact_form/sent.html")


def theme(request: HttpRequest) -> HttpResponse:
    """The shop's colours as CSS variables (a stylesheet, so the CSP needs no inline style), for
    every page: the accent as chosen, for decoration, and its shade readable as text and under
    white text (``lib/colours.py``)."""
    accent = settings.COMPTOIR_SHOP_ACCENT_COLOR
    readable = colour_readable(accent)
    css = f":root {{ --shop-accent: {accent}; --shop-accent-dark: {readable}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
