"""The back office's thread pages: the customer service page and one thread.

Views parse input, load with an access check, make one service call and respond.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.lib.filetypes import served_type
from comptoir.lib.params import int_param
from comptoir.notifications.services import notifications_mark_read
from comptoir.staff.access import employee_required, signed_in_employee
from comptoir.staff.directory import active_employees
from comptoir.staff.models import Employee
from comptoir.threads import counters, deliveries, drafts, presence, services, snooze_views, stats
from comptoir.threads import page as thread_page
from comptoir.threads.access import (
    attachment_get_for_employee,
    saved_filter_get_for_employee,
    thread_get_for_employee,
    threads_for_employee,
)
from comptoir.threads.forms import (
    BULK_ACTIONS,
    BULK_LIMIT,
    AssignForm,
    ForwardForm,
    NoteForm,
    ReplyForm,
    SavedFilterForm,
    ThreadContactForm,
    ThreadLanguageForm,
)
from comptoir.threads.listing import (
    PAGE_SIZES,
    SNOOZED_CHOICES,
    SORTS,
    VIEWS,
    ListParams,
    apply_filters,
    filters_describe,
    list_version,
    listed_attach,
    listed_highlight,
    newest_thread_id,
    page_query,
    paginate,
)
from comptoir.threads.messages import Upload
from comptoir.threads.models import Author, Contact, DeskSettings, DraftKind, Status, Thread
from comptoir.threads.news import Seen
from comptoir.threads.saved_replies import saved_replies_offer
from comptoir.threads.search import RANKED
from comptoir.threads.signatures import signature_render
from comptoir.threads.storage import attachment_open

LIST_FILTERS_SESSION_KEY = "desk.list_filters"
# How often the list asks whether its rows changed (``list_rows``), in seconds.
LIST_REFRESH_SECONDS = 20


def _rows_context(
    request: HttpRequest, values: Mapping[str, int], *, remember: bool = True
) -> dict[str, Any]:
    """The list's rows and its views with their counts (``values``: the counters, read once);
    ``remember``: keep the filters for "Reply to the next unanswered message" (the page shown,
    not its refresh, which another tab's list would otherwise overwrite every poll)."""
    employee = signed_in_employee(request)
    params = ListParams.from_query(request.GET)
    # Written only when it changes: an unchanged assignment would still save the session, a
    # write transaction on every view of the list.
    if remember and request.session.get(LIST_FILTERS_SESSION_KEY) != params.filters:
        request.session[LIST_FILTERS_SESSION_KEY] = params.filters
    query = page_query(params)
    threads = apply_filters(
        threads_for_employee(employee),
        params.filters,
        employee=employee,
        words=not params.engine_paged,
        query=query,
    )
    page = paginate(threads, params, query)
    contacts = list(Contact.objects.order_by("position", "id"))
    employees = active_employees()
    listed_attach(page.rows, contacts, employees)
    listed_highlight(page.rows, query)
    counts = stats.view_counts(values, employee_id=employee.pk)
    current = params.filters.get("view", "")
    return {
        "params": params,
        "page": page,
        **_list_presence(employee, [row.pk for row in page.rows]),
        "contacts": contacts,
        "employees": employees,
        "views": [
            (key, label, counts[key], params.view_query(key), key == current)
            for key, label in VIEWS.items()
        ],
        "ranked_count": RANKED,
        "list_version": list_version(values),
        "list_refresh_seconds": LIST_REFRESH_SECONDS,
    }


def _list_context(request: HttpRequest, values: Mapping[str, int]) -> dict[str, object]:
    employee = signed_in_employee(request)
    return {
        **_rows_context(request, values),
        "saved_filters": list(employee.saved_filters.values_list("pk", "name", "query")),
        "saved_filter_form": SavedFilterForm(auto_id="saved_filter_%s"),
        "sorts": SORTS,
        "statuses": Status.choices,
        "snoozed_choices": SNOOZED_CHOICES,
        "languages": settings.LANGUAGES,
        "bulk_actions": BULK_ACTIONS,
        "page_sizes": PAGE_SIZES,
        # What the live region compares with: whatever the list's filters, order and page.
        "newest_id": newest_thread_id(threads_for_employee(employee)),
    }


@employee_required
def home(request: HttpRequest) -> HttpResponse:
    numbers = stats.desk_numbers()
    context = {
        **_list_context(request, numbers.values),
        "statistics": numbers.statistics,
        "kpis": numbers.kpis,
        "boxes": numbers.boxes,
    }
    # A filter that cannot be used is named above the list (``filter_errors``).
    status = 400 if context["params"].errors else 200  # type: ignore[attr-defined]
    return render(request, "threads/home.html", context, status=status)


def _list_presence(employee: Employee, thread_ids: list[int]) -> dict[str, object]:
    """Who else is on the list's threads, and their unsent drafts: two queries for a page."""
    return {
        "presence": presence.presence_for_threads(thread_ids=thread_ids, employee=employee),
        "others_drafts": drafts.drafts_by_others(thread_ids=thread_ids, employee=employee),
        "presence_ids": ",".join(str(pk) for pk in thread_ids),
        "presence_poll": presence.POLL_SECONDS,
    }


PRESENCE_IDS_MAX = 200


@employee_required
def threads_presence(request: HttpRequest) -> HttpResponse:
    """Polled by the list: each row's mark of colleagues viewing, typing or with a draft (the
    rows' marks swapped in place, ``hx-swap-oob``); ``ids`` are the rows' threads."""
    employee = signed_in_employee(request)
    numbers = (int_param(part) for part in request.GET.get("ids", "").split(",")[:PRESENCE_IDS_MAX])
    asked = [number for number in numbers if number is not None and number > 0]
    visible = list(threads_for_employee(employee).filter(pk__in=asked).values_list("pk", flat=True))
    context = {**_list_presence(employee, visible), "ids": visible}
    return render(request, "threads/_list_presence.html", context)


@employee_required
def live(request: HttpRequest) -> HttpResponse:
    """Polled by the page: the contact boxes, and whether newer threads have come in."""
    newest = int_param(request.GET.get("newest", "")) or 0
    employee = signed_in_employee(request)
    newer = newest > 0 and threads_for_employee(employee).filter(pk__gt=newest).exists()
    # The next poll asks again about the threads newer than the page's, until it is reloaded.
    context = {"boxes": stats.contact_boxes(), "newer": newer, "newest_id": max(newest, 0)}
    return render(request, "threads/_live.html", context)


@employee_required
def list_rows(request: HttpRequest) -> HttpResponse:
    """Polled by the list: its rows and its views' counts again, for the same URL parameters;
    204 when nothing changed since ``version`` (``list_version``)."""
    values = counters.counters_read()
    if request.GET.get("version", "") == list_version(values):
        return HttpResponse(status=204)
    context = _rows_context(request, values, remember=False)
    status = 400 if context["params"].errors else 200
    return render(request, "threads/_list_refresh.html", context, status=status)


@employee_required
@require_POST
def saved_filter_save(request: HttpRequest) -> HttpResponse:
    """Keep the list's current filters under a name; then show them."""
    employee = signed_in_employee(request)
    form = SavedFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the filter a name of at most 60 characters."))
        return redirect("desk:home")
    params = ListParams.from_query(QueryDict(form.cleaned_data["query"]))
    query = params.saved_query
    if params.errors:
        messages.error(request, _("Correct the filters before saving them."))
    else:
        try:
            services.saved_filter_save(
                employee=employee, name=form.cleaned_data["name"], query=query
            )
        except services.ThreadError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Filter saved."))
    return redirect(f"{reverse('desk:home')}?{query}")


@employee_required
@require_POST
def saved_filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved_filter = saved_filter_get_for_employee(signed_in_employee(request), pk)
    services.saved_filter_delete(saved_filter=saved_filter)
    messages.success(request, _("Saved filter deleted."))
    back = request.POST.get("back", "")
    return redirect(back if url_is_desk(back) else reverse("desk:home"))


@employee_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    employee = signed_in_employee(request)
    action = request.POST.get("action", "")
    numbers = (int_param(value) for value in request.POST.getlist("ids"))
    ids = [number for number in numbers if number is not None][:BULK_LIMIT]
    back = request.POST.get("back", "") or reverse("desk:home")
    if not url_is_desk(back):
        back = reverse("desk:home")
    threads = list(threads_for_employee(employee).filter(pk__in=ids).order_by("-id"))
    if not threads or action not in dict(BULK_ACTIONS) or not action:
        messages.error(request, _("Select threads and an action."))
        return redirect(back)
    if action == "delete" and request.POST.get("confirm") != "yes":
        return render(request, "threads/bulk_delete.html", {"threads": threads, "back": back})
    if action.startswith("status:"):
        count = services.threads_bulk_apply(
            threads=threads, employee=employee, status=Status(action.split(":", 1)[1])
        )
    elif action == "assign":
        form = AssignForm(request.POST, employees=active_employees())
        if not form.is_valid():
            messages.error(request, _("This employee cannot be assigned."))
            return redirect(back)
        assignee = form.employees.get(form.cleaned_data["assignee"])
        count = services.threads_bulk_apply(
            threads=threads, employee=employee, assignee=assignee, assign=True
        )
    else:
        count = services.threads_bulk_apply(threads=threads, employee=employee, delete=True)
        messages.success(request, _("The selection has been successfully deleted."))
        return redirect(back)
    messages.success(
        request,
        ngettext("%(count)s thread updated.", "%(count)s threads updated.", count)
        % {"count": count},
    )
    return redirect(back)


def url_is_desk(url: str) -> bool:
    return url.startswith("/desk/") and "//" not in url and "\\" not in url


def _thread_context(request: HttpRequest, thread: Thread, **forms: object) -> dict[str, object]:
    employees = active_employees()
    contacts = _contacts()
    desk_settings = DeskSettings.load()
    summary = thread.customer.order_summary() if thread.customer else None
    employee = signed_in_employee(request)
    visible = threads_for_employee(employee)
    mine, others_drafts = drafts.drafts_of_thread(employee=employee, thread_id=thread.pk)
    items = thread_page.thread_items(thread, employees)
    own = [contact.email for contact in contacts] + [settings.DEFAULT_FROM_EMAIL]
    copies = thread_page.thread_copies_suggested(thread, items["thread_messages"], own=own)
    initial = {
        "text": mine.get(DraftKind.REPLY) or desk_settings.default_message_in(thread.language),
        "cc": copies,
    }
    return {
        "thread": thread,
        "other_threads": thread_page.thread_others(thread, visible),
        **items,
        # After a collision, the forms carry the thread as it is now (``ThreadChanged.seen``).
        "seen": forms.get("seen") or items["seen"],
        "collision": forms.get("collision"),
        # Who else is here comes with the page's first poll (``thread_presence``, on load).
        "present": [],
        "thread_others_drafts": others_drafts,
        "presence_poll": presence.POLL_SECONDS,
        "customer_summary": summary,
        "reply_form": forms.get("reply_form") or ReplyForm(initial=initial),
        "signature": signature_render(employee=employee, language=thread.language),
        "note_form": forms.get("note_form")
        or NoteForm(initial={"note": mine.get(DraftKind.NOTE, "")}),
        "forward_form": forms.get("forward_form") or ForwardForm(employees=employees),
        "assign_form": AssignForm(
            initial={"assignee": str(thread.assignee_id or "")}, employees=employees
        ),
        "statuses": Status,
        **snooze_views.snooze_context(),
        "saved_replies": saved_replies_offer(
            thread=thread,
            employee=signed_in_employee(request),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        ),
        "language_form": ThreadLanguageForm(
            initial={"language": thread.language}, auto_id="thread_%s"
        ),
        "contact_form": ThreadContactForm(
            initial={"contact": str(thread.contact_id or "")},
            auto_id="thread_%s",
            contacts=contacts,
            language=get_language(),
        ),
        # What "Reply to the next unanswered message" keeps of the list (its filters).
        "list_filters": filters_describe(
            request.session.get(LIST_FILTERS_SESSION_KEY),
            contacts=contacts,
            employees=employees,
            language=get_language(),
        ),
    }


def _thread_presence(employee: Employee, thread: Thread) -> dict[str, object]:
    """Who else has the thread open or is typing in it, and the colleagues' unsent drafts."""
    others = drafts.drafts_by_others(thread_ids=[thread.pk], employee=employee)
    return {
        "present": presence.presence_for_thread(thread_id=thread.pk, employee=employee),
        "thread_others_drafts": others.get(thread.pk, []),
        "presence_poll": presence.POLL_SECONDS,
    }


def _seen_posted(request: HttpRequest) -> Seen | None:
    """What the posted form's page showed (``seen``: "<message id>.<event id>"); None when the
    form did not say (then nothing is checked)."""
    message_text, _dot, event_text = request.POST.get("seen", "").partition(".")
    message_id, event_id = int_param(message_text), int_param(event_text)
    if message_id is None or event_id is None or message_id < 0 or event_id < 0:
        return None
    return Seen(message_id, event_id)


def _contacts() -> list[Contact]:
    return list(Contact.objects.order_by("position", "id"))


@employee_required
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    services.thread_mark_read(thread=thread, employee=employee)
    notifications_mark_read(employee=employee, thread_id=thread.pk)
    return render(request, "threads/thread.html", _thread_context(request, thread))


@employee_required
def thread_presence(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by the thread page: this employee still has it open; who else has, or types."""
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    presence.presence_touch(employee=employee, thread_id=thread.pk)
    context = {"thread": thread, "present_polled": True, **_thread_presence(employee, thread)}
    return render(request, "threads/_presence.html", context)


@employee_required
@require_POST
def thread_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Saved as the employee types (``desk.js``): the reply or note box's text; typing too."""
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    kind = request.POST.get("kind", "")
    if kind not in DraftKind.values:
        return HttpResponse(_("Unknown draft."), status=400, content_type="text/plain")
    default = DeskSettings.load().default_message_in(thread.language) if kind == "reply" else ""
    drafts.draft_save(
        employee=employee,
        thread_id=thread.pk,
        kind=DraftKind(kind),
        text=request.POST.get("text", ""),
        default=default,
    )
    presence.presence_touch(employee=employee, thread_id=thread.pk, typing=True)
    return HttpResponse(status=204)


def _back_to(thread: Thread) -> HttpResponseRedirect:
    return redirect("desk:thread", pk=thread.pk)


def _invalid(request: HttpRequest, thread: Thread, **forms: object) -> HttpResponse:
    """The thread page again, with the form that was refused and its errors."""
    context = _thread_context(request, thread, **forms)
    return render(request, "threads/thread.html", context, status=400)


def _changed(request: HttpRequest, thread: Thread, **forms: object) -> HttpResponse:
    """The thread page again after a collision: the typed text kept, what changed listed, and
    the form now carrying the thread as it is (so "Send anyway" sends, once)."""
    context = _thread_context(request, thread, **forms)
    return render(request, "threads/thread.html", context, status=409)


@employee_required
@require_POST
def thread_status(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    value = request.POST.get("status", "")
    if value not in Status.values:
        messages.error(request, _("Unknown status."))
        return _back_to(thread)
    if "text" in request.POST:  # the reply box's text, sent along by the status buttons
        default = DeskSettings.load().default_message_in(thread.language)
        drafts.draft_save(
            employee=employee,
            thread_id=thread.pk,
            kind=DraftKind.REPLY,
            text=request.POST["text"],
            default=default,
        )
    services.thread_set_status(thread=thread, employee=employee, status=Status(value))
    messages.success(request, _("The status has been successfully updated."))
    return _back_to(thread)


@employee_required
@require_POST
def thread_reply(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, thread, reply_form=form)
    try:
        services.thread_reply_with_files(
            thread=thread,
            employee=employee,
            text=form.cleaned_data["text"],
            status_after=Status(form.cleaned_data["status_after"]),
            cc=form.cleaned_data["cc"],
            signed=True,
            uploads=[
                Upload(content=file, name=file.name or "file", content_type=kind)
                for file, kind in form.cleaned_data["attachments"]
            ],
            seen=_seen_posted(request),
        )
    except services.ThreadChanged as exc:
        kept = ReplyForm(
            initial={
                "text": form.cleaned_data["text"],
                "status_after": form.cleaned_data["status_after"],
            }
        )
        collision = {"box": "reply", "news": exc.news, "files": bool(request.FILES)}
        return _changed(request, thread, reply_form=kept, seen=exc.seen, collision=collision)
    except services.ThreadError as exc:  # e.g. a saved reply's variable left without a value
        form.add_error("text", str(exc))
        return _invalid(request, thread, reply_form=form)
    drafts.draft_clear(employee=employee, thread_id=thread.pk, kind=DraftKind.REPLY)
    presence.presence_touch(employee=employee, thread_id=thread.pk, typing=False)
    messages.success(request, _("The message was successfully sent to the customer."))
    if request.POST.get("then") == "next":  # "Send and next": the list's next unanswered thread
        return redirect("desk:thread_next", pk=thread.pk)
    return _back_to(thread)


@employee_required
@require_POST
def thread_note(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _invalid(request, thread, note_form=form)
    try:
        services.thread_note(
            thread=thread,
            employee=employee,
            text=form.cleaned_data["note"],
            seen=_seen_posted(request),
        )
    except services.ThreadChanged as exc:
        kept = NoteForm(initial={"note": form.cleaned_data["note"]})
        collision = {"box": "note", "news": exc.news, "files": False}
        return _changed(request, thread, note_form=kept, seen=exc.seen, collision=collision)
    drafts.draft_clear(employee=employee, thread_id=thread.pk, kind=DraftKind.NOTE)
    presence.presence_touch(employee=employee, thread_id=thread.pk, typing=False)
    messages.success(request, _("Private note added."))
    return _back_to(thread)


@employee_required
@require_POST
def thread_forward(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    form = ForwardForm(request.POST, employees=active_employees())
    if not form.is_valid():
        return _invalid(request, thread, forward_form=form)
    to_employee = form.cleaned_data["to_employee"]
    email = services.thread_forward(
        thread=thread,
        employee=employee,
        comment=form.cleaned_data["comment"],
        to_employee=to_employee,
        to_email="" if to_employee else form.cleaned_data["email"],
    )
    messages.success(request, _("Message forwarded to %(email)s") % {"email": email.to_email})
    return _back_to(thread)


@employee_required
@require_POST
def thread_assign(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    form = AssignForm(request.POST, employees=active_employees())
    if not form.is_valid():  # not an active employee (unknown, or deactivated meanwhile)
        messages.error(request, _("This employee cannot be assigned."))
        return _back_to(thread)
    assignee = form.employees.get(form.cleaned_data["assignee"])
    services.thread_assign(thread=thread, employee=employee, assignee=assignee)
    messages.success(request, _("Assignment saved."))
    return _back_to(thread)


@employee_required
@require_POST
def thread_language(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    form = ThreadLanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Select a valid choice."))
        return _back_to(thread)
    services.thread_change_language(
        thread=thread, employee=employee, language=form.cleaned_data["language"]
    )
    messages.success(request, _("The language has been changed."))
    return _back_to(thread)


@employee_required
@require_POST
def thread_contact(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    form = ThreadContactForm(request.POST, contacts=_contacts(), language=get_language())
    if not form.is_valid():
        messages.error(request, _("Select a valid choice."))
        return _back_to(thread)
    contact = form.contacts.get(form.cleaned_data["contact"])
    services.thread_change_contact(thread=thread, employee=employee, contact=contact)
    messages.success(request, _("The contact has been changed."))
    return _back_to(thread)


@employee_required
@require_POST
def email_retry(request: HttpRequest, pk: int, email_pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    email = thread.emails.filter(pk=email_pk).first()
    if email is not None and deliveries.outbound_email_retry(email=email, employee=employee):
        messages.success(request, _("The e-mail will be sent again."))
    return _back_to(thread)


@employee_required
@require_POST
def thread_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge another conversation of the customer (``source``) into this one, once confirmed."""
    employee = signed_in_employee(request)
    target = thread_get_for_employee(employee, pk)
    source_pk = request.POST.get("source", "")
    if not source_pk.isdigit():
        messages.error(request, _("Choose a conversation to merge."))
        return _back_to(target)
    source = thread_get_for_employee(employee, int(source_pk))
    if request.POST.get("confirm") != "yes":
        context = {"thread": target, "source": source}
        return render(request, "threads/merge_confirm.html", context)
    try:
        services.thread_merge(source=source, target=target, employee=employee)
    except services.ThreadError as exc:
        messages.error(request, str(exc))
        return _back_to(target)
    messages.success(
        request,
        _("Conversation #%(source)s was merged into this one.") % {"source": source.pk},
    )
    return _back_to(target)


@employee_required
@require_POST
def thread_link_renew(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    email = services.thread_link_renew(thread=thread, employee=employee)
    messages.success(
        request,
        _("The previous link no longer works. A new link was sent to %(email)s.")
        % {"email": email.to_email},
    )
    return _back_to(thread)


@employee_required
def thread_next(request: HttpRequest, pk: int) -> HttpResponse:
    """Reply to the next unanswered message: the oldest open thread whose last word is the
    customer's, with the list's filters, other than this one."""
    employee = signed_in_employee(request)
    filters = request.session.get(LIST_FILTERS_SESSION_KEY, {})
    candidates = apply_filters(threads_for_employee(employee), dict(filters), employee=employee)
    following = (
        candidates.filter(status=Status.OPEN, last_message_from=Author.CUSTOMER)
        .exclude(pk=pk)
        .order_by("last_customer_message_at", "id")
        .values_list("pk", flat=True)
        .first()
    )
    if following is None:
        described = filters_describe(
            filters, contacts=_contacts(), employees=active_employees(), language=get_language()
        )
        if described:
            messages.info(
                request,
                _("No other unanswered message matches the list filter (%(filters)s).")
                % {"filters": described},
            )
        else:
            messages.info(request, _("There is no other unanswered message."))
        return redirect("desk:thread", pk=pk)
    return redirect("desk:thread", pk=following)


@employee_required
@require_POST
def list_filters_clear(request: HttpRequest) -> HttpResponse:
    """Forget the list's filters (kept for "Reply to the next unanswered message")."""
    if request.session.get(LIST_FILTERS_SESSION_KEY):
        request.session[LIST_FILTERS_SESSION_KEY] = {}
    back = request.POST.get("next", "")
    return redirect(back if url_is_desk(back) else reverse("desk:home"))


@employee_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Always a download (``Content-Disposition: attachment``); the declared type is kept only
    for an image or a PDF whose bytes show that type (``served_type``), never for HTML or SVG."""
    attachment = attachment_get_for_employee(signed_in_employee(request), pk)
    handle = attachment_open(attachment)
    head = handle.read(16)
    handle.seek(0)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=served_type(head, attachment.content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@employee_required
@require_POST
def thread_reply_insert(request: HttpRequest, pk: int) -> HttpResponse:
    """Without JavaScript, the reply box's "Insert" button: the page again, the chosen saved
    reply's text (variables filled) added after what was typed; nothing is sent."""
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    context = _thread_context(request, thread)
    chosen = int_param(request.POST.get("saved_reply", ""))
    offered = {reply["id"]: reply for reply in context["saved_replies"]}  # type: ignore[attr-defined]
    text = request.POST.get("text", "").replace("\r\n", "\n")
    status_after = request.POST.get("status_after", "")
    reply = offered.get(chosen)
    if reply is None:
        messages.error(request, _("Choose a saved reply to insert."))
    else:
        text = f"{text.rstrip()}\n\n{reply['text']}" if text.strip() else str(reply["text"])
        if reply["missing"]:
            messages.warning(
                request,
                _("No value for %(variables)s: write the right text in its place before sending.")
                % {"variables": ", ".join(reply["missing"])},
            )
    initial = {
        "text": text,
        "status_after": status_after or Status.CLOSED.value,
        "cc": request.POST.get("cc", ""),
    }
    context["reply_form"] = ReplyForm(initial=initial)
    return render(request, "threads/thread.html", context)
