"""The error pages: 400, 403, 404, 500 and a refused CSRF token, in the shop's look.

Each page speaks the visitor's language (the employee's under /desk/, else the address's
``?lang=``, the cookie or the browser's) and offers a way back: the customer service page for
employees, the contact form for the public. The 500 page is drawn without the database (no
session, no user, no messages), since the database may be what failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class _Error:
    status: int
    title: str
    text: str


def _is_desk(request: HttpRequest) -> bool:
    return request.path.startswith("/desk/")


def _speak(request: HttpRequest) -> None:
    """The public's ``?lang=`` (the language links of the public pages), as the contact form."""
    chosen = request.GET.get("lang", "")
    if not _is_desk(request) and chosen in dict(settings.LANGUAGES):
        translation.activate(chosen)


def _page(request: HttpRequest, error: _Error, *, with_request: bool = True) -> HttpResponse:
    language = translation.get_language() or settings.LANGUAGE_CODE
    if _is_desk(request):
        base, back = "desk_base.html", reverse("desk:home")
        back_label = _("Back to the customer service page")
    else:
        base, back = "contact_form/base.html", f"{reverse('contact_form:contact')}?lang={language}"
        back_label = _("Back to the contact form")
    context = {
        "base": base,
        "error": error,
        "back_url": back,
        "back_label": back_label,
        # Also given when the context processors do not run (the 500 page).
        "shop_name": settings.COMPTOIR_SHOP_NAME,
        "shop_logo_url": settings.COMPTOIR_SHOP_LOGO_URL,
    }
    template = loader.get_template("errors/error.html")
    content = template.render(context, request if with_request else None)
    return HttpResponse(content, status=error.status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    _speak(request)
    error = _Error(
        400,
        _("Bad request"),
        _("The address or the form that was sent could not be understood."),
    )
    return _page(request, error)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    _speak(request)
    error = _Error(403, _("Access denied"), _("You are not allowed to open this page."))
    return _page(request, error)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    _speak(request)
    error = _Error(404, _("Page not found"), _("This page does not exist, or no longer exists."))
    return _page(request, error)


def server_error(request: HttpRequest) -> HttpResponse:
    _speak(request)
    error = _Error(
        500,
        _("Something went wrong"),
        _("An error occurred on our side and was logged. Please try again in a moment."),
    )
    return _page(request, error, with_request=False)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form sent without a valid security token."""
    _speak(request)
    error = _Error(
        403,
        _("The form has expired"),
        _(
            "The form was sent without a valid security token: the page stayed open too long, "
            "or cookies are blocked. Go back, reload the page and send the form again."
        ),
    )
    return _page(request, error)
