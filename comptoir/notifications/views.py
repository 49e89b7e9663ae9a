"""The employee's notifications: the bell, the list, marking read, and their choices."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.lib.http import post_data
from comptoir.lib.params import int_param
from comptoir.notifications import services
from comptoir.notifications.forms import PreferenceForm
from comptoir.staff.access import employee_required, signed_in_employee

PAGE_SIZE = 50


@employee_required
def notification_list(request: HttpRequest) -> HttpResponse:
    employee = signed_in_employee(request)
    before = int_param(request.GET.get("before", ""))
    rows = services.notifications_recent(employee=employee, before=before, limit=PAGE_SIZE + 1)
    shown = [(n, services.notification_title(n)) for n in rows[:PAGE_SIZE]]
    context = {
        "notifications": shown,
        "older": rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None,
        "first_page": before is None,
    }
    return render(request, "notifications/list.html", context)


@employee_required
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The header's bell again (polled), with the newest unread ones for the browser's own
    notifications (``desk.js``)."""
    employee = signed_in_employee(request)
    news = services.notifications_newest(employee=employee, after=0)
    context = {
        "news": [(n, services.notification_title(n)) for n in news],
        "notifications_unread": services.notifications_unread_count(employee=employee),
        "polled": True,  # fetched on load already: from now on every 30 s only
    }
    return render(request, "notifications/_bell.html", context)


@employee_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark read: the notifications named (``ids``), else all of them."""
    employee = signed_in_employee(request)
    ids = [n for n in (int_param(v) for v in request.POST.getlist("ids")) if n is not None]
    services.notifications_mark_read(employee=employee, ids=ids or None)
    messages.success(request, _("Marked as read."))
    return redirect("notifications:list")


@employee_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    employee = signed_in_employee(request)
    current = services.notification_preferences_get(employee=employee)
    form = PreferenceForm(post_data(request), current=current)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.notification_preferences_set(employee=employee, values=form.cleaned_data)
            messages.success(request, _("Your preferences are saved."))
            return redirect("notifications:preferences")
        status = 400
    return render(request, "notifications/preferences.html", {"form": form}, status=status)
