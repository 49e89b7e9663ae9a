"""The thread page's snooze actions: access-checked fetch, form, one service call, redirect."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from comptoir.staff.access import employee_required, signed_in_employee
from comptoir.threads.access import thread_get_for_employee
from comptoir.threads.services import ThreadError
from comptoir.threads.snooze import snooze_presets, thread_snooze, thread_unsnooze

PRESETS = {
    "later": gettext_lazy("Later today"),
    "tomorrow": gettext_lazy("Tomorrow morning"),
    "next_week": gettext_lazy("Next week"),
}


def snooze_context() -> dict[str, object]:
    """What the thread page's snooze box shows: the presets with their times, the earliest
    time the date field accepts."""
    presets = snooze_presets()
    now = timezone.localtime()
    labels: dict[str, object] = dict(PRESETS)
    if timezone.localtime(presets["later"]).date() != now.date():  # late in the evening
        labels["later"] = _("In three hours")
    return {
        "snooze_presets": [
            {"value": value, "label": label, "at": timezone.localtime(presets[value])}
            for value, label in labels.items()
        ],
        "snooze_min": now.strftime("%Y-%m-%dT%H:%M"),
    }


class SnoozeForm(forms.Form):
    """A preset (``snooze_presets``) or a date and time of the employee's own (the browser's
    ``datetime-local`` value, read in the shop's time zone)."""

    preset = forms.ChoiceField(choices=list(PRESETS.items()), required=False)
    until = forms.DateTimeField(
        label=gettext_lazy("Until"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        preset, until = cleaned.get("preset"), cleaned.get("until")
        if preset:
            cleaned["until"] = snooze_presets()[str(preset)]
        elif until is None and not self.errors:
            raise forms.ValidationError(_("Choose when the thread comes back."))
        return cleaned


@employee_required
@require_POST
def thread_snooze_view(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        errors = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(errors))
        return redirect("desk:thread", pk=thread.pk)
    until = form.cleaned_data["until"]
    try:
        thread_snooze(thread=thread, employee=employee, until=until)
    except ThreadError as exc:
        messages.error(request, str(exc))
        return redirect("desk:thread", pk=thread.pk)
    shown = formats.date_format(timezone.localtime(until), "DATETIME_FORMAT")
    messages.success(request, _("Snoozed until %(date)s.") % {"date": shown})
    return redirect("desk:home")


@employee_required
@require_POST
def thread_unsnooze_view(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    thread_unsnooze(thread=thread, employee=employee)
    messages.success(request, _("The thread is back."))
    return redirect("desk:thread", pk=thread.pk)
