"""The administrator's settings of the customer service: contacts, order messages, options.

Each function is keyword-only, typed and atomic. Per-language values arrive as
``{"en": "...", "fr": "..."}``; they are kept for the languages in ``settings.LANGUAGES`` only,
stripped, and empty ones dropped (``lib.i18n.localized`` falls back to the shop's language).
The forms check the same rules field by field; the checks here guard every other caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from comptoir.lib.addresses import email_normalize
from comptoir.staff.models import Employee
from comptoir.threads.models import Contact, DeskSettings, OrderMessage, SavedReply, Thread
from comptoir.threads.saved_replies import saved_reply_may_manage, saved_reply_search_text
from comptoir.threads.services import threads_change_contact

CONTACT_NAME_MAX = 255
CONTACT_DESCRIPTION_MAX = 2000
ORDER_MESSAGE_NAME_MAX = 128
ORDER_MESSAGE_TEXT_MAX = 1200
DEFAULT_MESSAGE_MAX = 5000


class SettingsError(Exception):
    """A change the settings cannot accept (the message says why, translated)."""


def _language_name(code: str) -> str:
    return dict(settings.LANGUAGES).get(code, code)


def _per_language(
    values: Mapping[str, str], *, label: str, max_length: int, required: bool
) -> dict[str, str]:
    """Known languages only, stripped, empty ones dropped; the shop's language when required."""
    cleaned: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        text = (values.get(code) or "").strip()
        if len(text) > max_length:
            raise SettingsError(
                _("%(label)s (%(language)s) is too long: %(max)d characters at most.")
                % {"label": label, "language": _language_name(code), "max": max_length}
            )
        if text:
            cleaned[code] = text
    if required and settings.LANGUAGE_CODE not in cleaned:
        raise SettingsError(
            _("%(label)s is required in %(language)s, the shop's default language.")
            % {"label": label, "language": _language_name(settings.LANGUAGE_CODE)}
        )
    return cleaned


def _check_contact_can_receive(*, email: str, save_messages: bool) -> None:
    if not save_messages and not email:
        raise SettingsError(
            _(
                "A contact that does not save messages needs an e-mail address: "
                "otherwise its messages would go nowhere."
            )
        )


# --- contacts -------------------------------------------------------------------------------------


@transaction.atomic
def contact_create(
    *,
    name: Mapping[str, str],
    description: Mapping[str, str],
    email: str = "",
    save_messages: bool = True,
    position: int | None = None,
) -> Contact:
    """A new contact; without a position it goes after the last one."""
    email = email_normalize(email)
    _check_contact_can_receive(email=email, save_messages=save_messages)
    if position is None:
        last = Contact.objects.order_by("-position").values_list("position", flat=True).first()
        position = 0 if last is None else last + 1
    return Contact.objects.create(
        name=_per_language(name, label=_("Title"), max_length=CONTACT_NAME_MAX, required=True),
        description=_per_language(
            description,
            label=_("Description"),
            max_length=CONTACT_DESCRIPTION_MAX,
            required=False,
        ),
        email=email,
        save_messages=save_messages,
        position=position,
    )


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    name: Mapping[str, str],
    description: Mapping[str, str],
    email: str,
    save_messages: bool,
    position: int | None = None,
) -> Contact:
    """Replaces every editable value; a position of None keeps the current one."""
    email = email_normalize(email)
    _check_contact_can_receive(email=email, save_messages=save_messages)
    contact.name = _per_language(name, label=_("Title"), max_length=CONTACT_NAME_MAX, required=True)
    contact.description = _per_language(
        description, label=_("Description"), max_length=CONTACT_DESCRIPTION_MAX, required=False
    )
    contact.email = email
    contact.save_messages = save_messages
    if position is not None:
        contact.position = position
    contact.save()
    return contact


@transaction.atomic
def contact_move(*, contact: Contact, direction: Literal["up", "down"]) -> None:
    """Swaps the contact with its neighbour in the list order (position, then id).

    Positions are renumbered 0..n-1 on the way, so equal positions (or gaps) never make a move a
    no-op. Contacts are few (a handful of departments): rewriting all of them is fine.
    """
    contacts = list(Contact.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, other in enumerate(contacts) if other.pk == contact.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(contacts):
        contacts[index], contacts[target] = contacts[target], contacts[index]
    for position, other in enumerate(contacts):
        if other.position != position:
            Contact.objects.filter(pk=other.pk).update(position=position)
        if other.pk == contact.pk:
            contact.position = position


@transaction.atomic
def contact_delete(*, contact: Contact, move_threads_to: Contact | None = None) -> int:
    """Deletes a contact; returns how many threads moved to ``move_threads_to``.

    A contact that threads still use cannot be deleted (they would lose their department):
    the caller either chooses another contact to take them, or gets a SettingsError.

    The threads move with one bulk UPDATE and no ThreadEvent per thread: a contact may have
    thousands of threads, and the move is an administrative re-filing, not a change made to
    one conversation. ``Thread.updated_at`` is left as it was for the same reason.
    """
    if move_threads_to is not None and move_threads_to.pk == contact.pk:
        raise SettingsError(_("Choose another contact to receive the threads."))
    threads = Thread.objects.filter(contact=contact)
    moved = 0
    if move_threads_to is not None:
        moved = threads_change_contact(threads=threads, contact=move_threads_to)
    elif threads.exists():
        raise SettingsError(
            _(
                "This contact cannot be deleted while threads use it. "
                "Move its threads to another contact first."
            )
        )
    try:
        contact.delete()
    except ProtectedError:  # a thread arrived for this contact in the meantime
        raise SettingsError(
            _("A new thread arrived for this contact meanwhile. Please try again.")
        ) from None
    return moved


# --- order messages -------------------------------------------------------------------------------


def _order_message_values(
    name: Mapping[str, str], text: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    return (
        _per_language(name, label=_("Name"), max_length=ORDER_MESSAGE_NAME_MAX, required=True),
        _per_language(text, label=_("Message"), max_length=ORDER_MESSAGE_TEXT_MAX, required=True),
    )


@transaction.atomic
def order_message_create(*, name: Mapping[str, str], text: Mapping[str, str]) -> OrderMessage:
    """A predefined message. Any text is accepted (it is always escaped when shown)."""
    names, texts = _order_message_values(name, text)
    return OrderMessage.objects.create(name=names, text=texts)


@transaction.atomic
def order_message_update(
    *, order_message: OrderMessage, name: Mapping[str, str], text: Mapping[str, str]
) -> OrderMessage:
    order_message.name, order_message.text = _order_message_values(name, text)
    order_message.save()
    return order_message


@transaction.atomic
def order_message_delete(*, order_message: OrderMessage) -> None:
    order_message.delete()


# --- options --------------------------------------------------------------------------------------


CONSENT_NOTICE_MAX = 1000


@transaction.atomic
def desk_settings_update(
    *,
    allow_file_uploads: bool,
    default_message: Mapping[str, str],
    consent_notice: Mapping[str, str] | None = None,
    privacy_policy_url: str | None = None,
) -> DeskSettings:
    """The "Contact options": file uploads on the contact form, the reply form's default text,
    the contact form's notice on personal data and the link to the shop's privacy policy."""
    DeskSettings.load()  # the row exists before it is locked
    desk_settings = DeskSettings.objects.select_for_update().get(pk=1)
    desk_settings.allow_file_uploads = allow_file_uploads
    desk_settings.default_message = _per_language(
        default_message, label=_("Default message"), max_length=DEFAULT_MESSAGE_MAX, required=False
    )
    fields = ["allow_file_uploads", "default_message", "updated_at"]
    if consent_notice is not None:
        desk_settings.consent_notice = _per_language(
            consent_notice,
            label=_("Personal data notice"),
            max_length=CONSENT_NOTICE_MAX,
            required=False,
        )
        fields.append("consent_notice")
    if privacy_policy_url is not None:
        desk_settings.privacy_policy_url = privacy_policy_url
        fields.append("privacy_policy_url")
    # Only these fields: the mailbox options may share the row and be saved by another page.
    desk_settings.save(update_fields=fields)
    return desk_settings


# --- saved replies ------------------------------------------------------------------------------

SAVED_REPLY_NAME_MAX = 128
SAVED_REPLY_TEXT_MAX = 5000


def _saved_reply_values(
    name: Mapping[str, str], text: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    return (
        _per_language(name, label=_("Name"), max_length=SAVED_REPLY_NAME_MAX, required=True),
        _per_language(text, label=_("Message"), max_length=SAVED_REPLY_TEXT_MAX, required=True),
    )


def _saved_reply_owner(employee: Employee, shared: bool) -> Employee | None:
    if shared and not employee.is_administrator:
        raise SettingsError(_("Only administrators manage the shared replies."))
    return None if shared else employee


@transaction.atomic
def saved_reply_create(
    *, name: Mapping[str, str], text: Mapping[str, str], shared: bool, employee: Employee
) -> SavedReply:
    """A new reply: personal to ``employee``, or shared (administrators only)."""
    names, texts = _saved_reply_values(name, text)
    return SavedReply.objects.create(
        name=names,
        text=texts,
        owner=_saved_reply_owner(employee, shared),
        search_folded=saved_reply_search_text(name=names, text=texts),
    )


@transaction.atomic
def saved_reply_update(
    *,
    saved_reply: SavedReply,
    name: Mapping[str, str],
    text: Mapping[str, str],
    shared: bool,
    employee: Employee,
) -> SavedReply:
    """Change a reply the employee manages; an administrator may share their own or make a
    shared one theirs."""
    if not saved_reply_may_manage(employee, saved_reply):
        raise SettingsError(_("You cannot change this saved reply."))
    names, texts = _saved_reply_values(name, text)
    saved_reply.name, saved_reply.text = names, texts
    saved_reply.owner = _saved_reply_owner(employee, shared)
    saved_reply.search_folded = saved_reply_search_text(name=names, text=texts)
    saved_reply.save()
    return saved_reply


@transaction.atomic
def saved_reply_delete(*, saved_reply: SavedReply, employee: Employee) -> None:
    if not saved_reply_may_manage(employee, saved_reply):
        raise SettingsError(_("You cannot change this saved reply."))
    saved_reply.delete()
