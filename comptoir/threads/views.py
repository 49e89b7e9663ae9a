"""The back office's thread pages: the customer service page and one thread.

Views parse input, load with an access check, make one service call and respond.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
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
from comptoir.threads import deliveries, drafts, services, snooze_views, stats
from comptoir.threads import page as thread_page
from comptoir.threads.access import (
    attachment_get_for_employee,
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
    ThreadContactForm,
    ThreadLanguageForm,
)
from comptoir.threads.listing import (
    PAGE_SIZES,
    SNOOZED_CHOICES,
    SORTS,
    ListParams,
    apply_filters,
    filters_describe,
    listed_attach,
    newest_thread_id,
    paginate,
)
from comptoir.threads.messages import Upload
from comptoir.threads.models import Author, Contact, DeskSettings, Status, Thread
from comptoir.threads.saved_replies import saved_replies_offer
from comptoir.threads.storage import attachment_open

LIST_FILTERS_SESSION_KEY = "desk.list_filters"


def _list_context(request: HttpRequest) -> dict[str, object]:
    employee = signed_in_employee(request)
    params = ListParams.from_query(request.GET)
    # Written only when it changes: an unchanged assignment would still save the session, a
    # write transaction on every view of the list.
    if request.session.get(LIST_FILTERS_SESSION_KEY) != params.filters:
        request.session[LIST_FILTERS_SESSION_KEY] = params.filters
    threads = apply_filters(threads_for_employee(employee), params.filters)
    page = paginate(threads, params)
    contacts = list(Contact.objects.order_by("position", "id"))
    employees = active_employees()
    listed_attach(page.rows, contacts, employees)
    return {
        "params": params,
        "page": page,
        "sorts": SORTS,
        "contacts": contacts,
        "employees": employees,
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
        **_list_context(request),
        "statistics": numbers.statistics,
        "kpis": numbers.kpis,
        "boxes": numbers.boxes,
    }
    # A filter that cannot be used is named above the list (``filter_errors``).
    status = 400 if context["params"].errors else 200  # type: ignore[attr-defined]
    return render(request, "threads/home.html", context, status=status)


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
    visible = threads_for_employee(signed_in_employee(request))
    draft = drafts.reply_draft(request.session, thread.pk)
    return {
        "thread": thread,
        "other_threads": thread_page.thread_others(thread, visible),
        **thread_page.thread_items(thread, employees),
        "customer_summary": summary,
        "reply_form": forms.get("reply_form")
        or ReplyForm(initial={"text": draft or desk_settings.default_message_in(thread.language)}),
        "note_form": forms.get("note_form") or NoteForm(),
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


def _contacts() -> list[Contact]:
    return list(Contact.objects.order_by("position", "id"))


@employee_required
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    services.thread_mark_read(thread=thread, employee=employee)
    notifications_mark_read(employee=employee, thread_id=thread.pk)
    return render(request, "threads/thread.html", _thread_context(request, thread))


def _back_to(thread: Thread) -> HttpResponseRedirect:
    return redirect("desk:thread", pk=thread.pk)


def _invalid(request: HttpRequest, thread: Thread, **forms: object) -> HttpResponse:
    """The thread page again, with the form that was refused and its errors."""
    context = _thread_context(request, thread, **forms)
    return render(request, "threads/thread.html", context, status=400)


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
        drafts.reply_draft_keep(request.session, thread.pk, request.POST["text"], default=default)
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
            uploads=[
                Upload(content=file, name=file.name or "file", content_type=kind)
                for file, kind in form.cleaned_data["attachments"]
            ],
        )
    except services.ThreadError as exc:  # e.g. a saved reply's variable left without a value
        form.add_error("text", str(exc))
        return _invalid(request, thread, reply_form=form)
    drafts.reply_draft_clear(request.session, thread.pk)
    messages.success(request, _("The message was successfully sent to the customer."))
    return _back_to(thread)


@employee_required
@require_POST
def thread_note(request: HttpRequest, pk: int) -> HttpResponse:
    employee = signed_in_employee(request)
    thread = thread_get_for_employee(employee, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _invalid(request, thread, note_form=form)
    services.thread_note(thread=thread, employee=employee, text=form.cleaned_data["note"])
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
    candidates = apply_filters(threads_for_employee(employee), dict(filters))
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
    initial = {"text": text, "status_after": status_after or Status.CLOSED.value}
    context["reply_form"] = ReplyForm(initial=initial)
    return render(request, "threads/thread.html", context)
