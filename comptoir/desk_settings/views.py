"""The administrator's settings pages: contacts, order messages, customer service options."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.desk_settings import services
from comptoir.desk_settings.forms import (
    ContactDeleteForm,
    ContactForm,
    DeskOptionsForm,
    OrderMessageForm,
)
from comptoir.lib.http import post_data
from comptoir.staff.access import administrator_required
from comptoir.threads.models import Contact, DeskSettings, OrderMessage, Thread
from comptoir.threads.variables import variables_shown

EXCERPT_LENGTH = 80


def _language(request: HttpRequest) -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


# --- contacts -------------------------------------------------------------------------------------


@administrator_required
def contact_list(request: HttpRequest) -> HttpResponse:
    contacts = Contact.objects.order_by("position", "id")
    return render(request, "desk_settings/contacts.html", {"contacts": contacts})


def _contact_page(
    request: HttpRequest, form: ContactForm, contact: Contact | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "desk_settings/contact_form.html",
        {"form": form, "contact": contact},
        status=status,
    )


def _contact_save(request: HttpRequest, contact: Contact | None) -> HttpResponse:
    """Add (``contact`` None) or edit a contact."""
    form = ContactForm(post_data(request), contact=contact)
    if request.method != "POST":
        return _contact_page(request, form, contact)
    if form.is_valid():
        values = {
            "name": form.language_values("name"),
            "description": form.language_values("description"),
            "email": form.cleaned_data["email"],
            "save_messages": form.cleaned_data["save_messages"],
            "position": form.cleaned_data["position"],
        }
        try:
            if contact is None:
                services.contact_create(**values)
            else:
                services.contact_update(contact=contact, **values)
        except services.SettingsError as exc:
            form.add_error(None, str(exc))
        else:
            done = _("Successful creation.") if contact is None else _("Successful update.")
            messages.success(request, done)
            return redirect("desk_settings:contacts")
    return _contact_page(request, form, contact, status=400)


@administrator_required
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest) -> HttpResponse:
    return _contact_save(request, None)


@administrator_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _contact_save(request, get_object_or_404(Contact, pk=pk))


@administrator_required
@require_POST
def contact_move(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=pk)
    direction = request.POST.get("direction")
    if direction == "up":
        services.contact_move(contact=contact, direction="up")
    elif direction == "down":
        services.contact_move(contact=contact, direction="down")
    else:
        return HttpResponse(status=400)
    messages.success(request, _("Successful update."))
    return redirect("desk_settings:contacts")


@administrator_required
@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=pk)
    thread_count = Thread.objects.filter(contact=contact).count()
    form = ContactDeleteForm(
        post_data(request), contact=contact, thread_count=thread_count, language=_language(request)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                moved = services.contact_delete(
                    contact=contact, move_threads_to=form.cleaned_data["move_threads_to"]
                )
            except services.SettingsError as exc:
                form.add_error(None, str(exc))
            else:
                if moved:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d thread was moved to the other contact.",
                            "%(count)d threads were moved to the other contact.",
                            moved,
                        )
                        % {"count": moved},
                    )
                messages.success(request, _("Successful deletion."))
                return redirect("desk_settings:contacts")
        status = 400
    return render(
        request,
        "desk_settings/contact_delete.html",
        {
            "contact": contact,
            "form": form,
            "thread_count": thread_count,
            "can_move": thread_count > 0 and Contact.objects.exclude(pk=contact.pk).exists(),
        },
        status=status,
    )


# --- order messages -------------------------------------------------------------------------------


@administrator_required
def order_message_list(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    rows = [
        (order_message, order_message.name_in(language), order_message.text_in(language))
        for order_message in OrderMessage.objects.order_by("id")
    ]
    return render(
        request,
        "desk_settings/order_messages.html",
        {"rows": rows, "excerpt_length": EXCERPT_LENGTH},
    )


def _order_message_page(
    request: HttpRequest, form: OrderMessageForm, order_message: OrderMessage | None, status: int
) -> HttpResponse:
    return render(
        request,
        "desk_settings/order_message_form.html",
        {"form": form, "order_message": order_message, "variables": variables_shown()},
        status=status,
    )


def _order_message_save(request: HttpRequest, order_message: OrderMessage | None) -> HttpResponse:
    """Add (``order_message`` None) or edit a predefined message."""
    form = OrderMessageForm(post_data(request), order_message=order_message)
    if request.method != "POST":
        return _order_message_page(request, form, order_message, status=200)
    if form.is_valid():
        name, text = form.language_values("name"), form.language_values("text")
        try:
            if order_message is None:
                services.order_message_create(name=name, text=text)
            else:
                services.order_message_update(order_message=order_message, name=name, text=text)
        except services.SettingsError as exc:
            form.add_error(None, str(exc))
        else:
            done = _("Successful creation.") if order_message is None else _("Successful update.")
            messages.success(request, done)
            return redirect("desk_settings:order_messages")
    return _order_message_page(request, form, order_message, status=400)


@administrator_required
@require_http_methods(["GET", "POST"])
def order_message_add(request: HttpRequest) -> HttpResponse:
    return _order_message_save(request, None)


@administrator_required
@require_http_methods(["GET", "POST"])
def order_message_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_message_save(request, get_object_or_404(OrderMessage, pk=pk))


@administrator_required
@require_http_methods(["GET", "POST"])
def order_message_delete(request: HttpRequest, pk: int) -> HttpResponse:
    order_message = get_object_or_404(OrderMessage, pk=pk)
    if request.method == "POST":
        services.order_message_delete(order_message=order_message)
        messages.success(request, _("Successful deletion."))
        return redirect("desk_settings:order_messages")
    return render(
        request,
        "desk_settings/order_message_delete.html",
        {"order_message": order_message, "name": order_message.name_in(_language(request))},
    )


# --- options --------------------------------------------------------------------------------------


@administrator_required
@require_http_methods(["GET", "POST"])
def options(request: HttpRequest) -> HttpResponse:
    form = DeskOptionsForm(post_data(request), desk_settings=DeskSettings.load())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.desk_settings_update(
                    allow_file_uploads=form.cleaned_data["allow_file_uploads"],
                    default_message=form.language_values("default_message"),
                    consent_notice=form.language_values("consent_notice"),
                    privacy_policy_url=form.cleaned_data["privacy_policy_url"],
                )
            except services.SettingsError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Successful update."))
                return redirect("desk_settings:options")
        status = 400
    return render(request, "desk_settings/options.html", {"form": form}, status=status)
