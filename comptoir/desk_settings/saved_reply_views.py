"""The "Saved replies" pages: every employee's own replies and the shared ones, searchable.

Agents add and change their personal replies; administrators also manage the shared ones
(``threads.saved_replies`` decides who sees and manages what; the thread page inserts them).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from comptoir.desk_settings import services
from comptoir.desk_settings.forms import SavedReplyForm
from comptoir.lib.http import post_data
from comptoir.staff.access import employee_required, signed_in_employee
from comptoir.threads.models import SavedReply
from comptoir.threads.saved_replies import (
    saved_replies_for_employee,
    saved_replies_search,
    saved_reply_get_for_employee,
    saved_reply_may_manage,
)
from comptoir.threads.variables import variables_shown

# The page lists at most this many replies (a search finds the others).
LIST_LIMIT = 200
EXCERPT_LENGTH = 120
QUERY_MAX = 100


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


@employee_required
def saved_reply_list(request: HttpRequest) -> HttpResponse:
    employee = signed_in_employee(request)
    query = request.GET.get("q", "")[:QUERY_MAX].strip()
    replies = saved_replies_search(saved_replies_for_employee(employee), query)
    found = list(replies.select_related(None)[: LIST_LIMIT + 1])
    language = _language()
    rows = [
        {
            "reply": reply,
            "name": reply.name_in(language),
            "text": reply.text_in(language),
            "may_manage": saved_reply_may_manage(employee, reply),
        }
        for reply in found[:LIST_LIMIT]
    ]
    context = {
        "rows": rows,
        "query": query,
        "more": len(found) > LIST_LIMIT,
        "excerpt_length": EXCERPT_LENGTH,
    }
    return render(request, "desk_settings/saved_replies.html", context)


def _save(request: HttpRequest, saved_reply: SavedReply | None) -> HttpResponse:
    """Add (``saved_reply`` None) or change a reply the employee manages."""
    employee = signed_in_employee(request)
    form = SavedReplyForm(post_data(request), employee=employee, saved_reply=saved_reply)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            name, text = form.language_values("name"), form.language_values("text")
            shared = bool(form.cleaned_data.get("shared"))
            try:
                if saved_reply is None:
                    services.saved_reply_create(
                        name=name, text=text, shared=shared, employee=employee
                    )
                else:
                    services.saved_reply_update(
                        saved_reply=saved_reply,
                        name=name,
                        text=text,
                        shared=shared,
                        employee=employee,
                    )
            except services.SettingsError as exc:
                form.add_error(None, str(exc))
            else:
                done = _("Successful creation.") if saved_reply is None else _("Successful update.")
                messages.success(request, done)
                return redirect("desk_settings:saved_replies")
    context = {
        "form": form,
        "saved_reply": saved_reply,
        "variables": variables_shown(),
    }
    return render(request, "desk_settings/saved_reply_form.html", context, status=status)


@employee_required
@require_http_methods(["GET", "POST"])
def saved_reply_add(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@employee_required
@require_http_methods(["GET", "POST"])
def saved_reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    return _save(request, saved_reply_get_for_employee(employee, pk, manage=True))


@employee_required
@require_http_methods(["GET", "POST"])
def saved_reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    saved_reply = saved_reply_get_for_employee(employee, pk, manage=True)
    if request.method == "POST":
        services.saved_reply_delete(saved_reply=saved_reply, employee=employee)
        messages.success(request, _("Successful deletion."))
        return redirect("desk_settings:saved_replies")
    context = {"saved_reply": saved_reply, "name": saved_reply.name_in(_language())}
    return render(request, "desk_settings/saved_reply_delete.html", context)
