"""Writing outgoing e-mails as outbox rows (rendered here, delivered by ``comptoir.mail``).

Nothing here touches MIME or the network: an e-mail is a row with its text already rendered in the
recipient's language, a signed Message-ID and the threading headers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac

from comptoir.lib.msgid import make_message_id, make_reply_marker
from comptoir.threads.models import Attachment, EmailKind, Message, OutboundEmail, Thread

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def header_text(value: str, limit: int = 255) -> str:
    """Text safe to put in a header: control characters (CR, LF, tab…) become spaces."""
    return _CONTROL.sub(" ", value).strip()[:limit]


def message_id_key() -> bytes:
    return salted_hmac("comptoir.message-id", "key", secret=settings.SECRET_KEY).digest()


def reply_marker_key() -> bytes:
    return salted_hmac("comptoir.reply-marker", "key", secret=settings.SECRET_KEY).digest()


def subject_markers(thread: Thread) -> str:
    """``#ct<id> #tc<marker>``: PrestaShop's subject markers, the second one derived from the
    id (``lib.msgid``), never the conversation link's secret."""
    return f"#ct{thread.pk} #tc{make_reply_marker(key=reply_marker_key(), thread_id=thread.pk)}"


def new_message_id(thread: Thread | None) -> str:
    return make_message_id(
        key=message_id_key(),
        thread_id=thread.pk if thread is not None else 0,
        domain=settings.COMPTOIR_MESSAGE_ID_DOMAIN,
    )


def conversation_url(thread: Thread) -> str:
    """The customer's link to their conversation (public, with the thread's link secret): only
    in e-mails to the thread's own address."""
    path = reverse("contact_form:thread", kwargs={"token": thread.link_secret})
    return f"{settings.COMPTOIR_SITE_URL}{path}?lang={thread.language}"


def thread_sender(thread: Thread) -> tuple[str, str]:
    """(address, name) e-mails about this thread come from: its contact's, else the address of
    the first mailbox routed to that contact (the address the customer wrote to, which the
    outbox then sends through that mailbox's server), else the shop's."""
    contact = thread.contact
    if contact is not None:
        address = contact.email or (
            contact.mailboxes.exclude(email_address="")
            .order_by("pk")
            .values_list("email_address", flat=True)
            .first()
        )
        if address:
            return address, contact.name_in(thread.language)
    return settings.DEFAULT_FROM_EMAIL, settings.COMPTOIR_SHOP_NAME


def _references(thread: Thread) -> tuple[str, str]:
    """In-Reply-To and References for a new e-mail in this thread: its latest mail headers."""
    ids = [
        header or stored
        for stored, header in thread.messages.exclude(message_id="")
        .order_by("-created_at", "-id")
        .values_list("message_id", "message_id_header")[:10]
    ]
    ids.reverse()
    return (ids[-1] if ids else ""), " ".join(ids)


def email_queue(
    *,
    kind: EmailKind,
    template: str,
    context: Mapping[str, Any],
    language: str,
    to_email: str,
    to_name: str = "",
    cc: Iterable[str] = (),
    from_email: str,
    from_name: str = "",
    reply_to: str = "",
    thread: Thread | None = None,
    message: Message | None = None,
    attachments: Iterable[Attachment] = (),
    is_internal: bool = False,
    threading: bool = True,
    subject_suffix: str = "",
) -> OutboundEmail:
    """Render the text ``template`` (its first line is the subject) and queue the e-mail.

    The template sees ``markers``, the thread's subject markers (``subject_markers``).

    Call inside the transaction of the change that causes the e-mail.
    """
    with translation.override(language):
        rendered = render_to_string(
            template,
            {
                **context,
                "shop_name": settings.COMPTOIR_SHOP_NAME,
                "site_url": settings.COMPTOIR_SITE_URL,
                "markers": subject_markers(thread) if thread is not None else "",
            },
        )
    subject_line, _sep, body = rendered.lstrip().partition("\n")
    subject = header_text(f"{subject_line.strip()}{subject_suffix}")
    in_reply_to, references = _references(thread) if (thread and threading) else ("", "")
    email = OutboundEmail.objects.create(
        kind=kind,
        thread=thread,
        message=message,
        from_email=from_email,
        from_name=header_text(from_name, 150),
        to_email=to_email,
        to_name=header_text(to_name, 150),
        cc=", ".join(header_text(address) for address in cc),
        reply_to=reply_to,
        subject=subject,
        body_text=body.strip() + "\n",
        header_message_id=new_message_id(thread),
        in_reply_to=in_reply_to,
        references=references,
        is_internal=is_internal,
    )
    attachments = list(attachments)
    if attachments:
        email.attachments.set(attachments)
    if message is not None:
        message.message_id = email.header_message_id
        message.in_reply_to = in_reply_to
        message.references = references
        message.save(update_fields=["message_id", "in_reply_to", "references"])
    return email
