"""/api/v1/contact-messages: a shop with its own front end sends its contact form here.

The same rules as ``/contact/`` (``threads.contact_messages``): the fields are checked by the same
form, the message opens a new thread, or joins the customer's open or recent one when the front
end names the signed-in customer (``customer``: an address alone proves nothing), the contact is
notified, the customer gets the confirmation with the conversation link, and the rate limits per
address apply (per customer IP when the front end passes it, per e-mail address always). The
page's anti-robot fields (honeypot, timed token) are the front end's to keep.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from comptoir.api.auth import WRITE
from comptoir.api.errors import ApiError, invalid
from comptoir.api.forms_bridge import form_errors
from comptoir.api.responses import errors_for
from comptoir.api.threads import FileIn, decode_files
from comptoir.lib.validation import FieldError
from comptoir.shop.models import Customer
from comptoir.threads.contact_message_forms import ContactMessageBaseForm
from comptoir.threads.contact_messages import (
    Submission,
    SubmitError,
    contact_message_rate_limited,
    contact_message_submit,
)
from comptoir.threads.models import DeskSettings

router = Router(tags=["contact form"])


class ContactMessageIn(Schema):
    contact_id: int = Field(description="The contact (subject heading) chosen.")
    email: str = Field(max_length=254)
    message: str = Field(min_length=1, description="At most 10,000 characters by default.")
    order_reference: str = Field("", max_length=32)
    language: str | None = Field(None, description="en, fr or es: the language of the e-mails.")
    attachment: FileIn | None = Field(None, description='Only when "Allow file uploading" is on.')
    customer_ip: str | None = Field(None, description="The customer's IP address, for limits.")
    user_agent: str = Field("", max_length=256)
    customer: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description=(
            "external_id of the customer, only when they are signed in to the shop: the message "
            "then joins their open or recent conversation. Without it, a new one is opened."
        ),
    )


class ContactMessageOut(Schema):
    thread_id: int | None = Field(description="null when the contact does not save messages.")
    duplicate: bool = Field(description="The same message was sent moments ago: stored once.")


def _language(value: str | None) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    if value is None:
        return settings.LANGUAGE_CODE
    if value not in codes:
        message = _("Unknown language %(code)s: expected one of %(codes)s.") % {
            "code": value,
            "codes": ", ".join(codes),
        }
        raise invalid([FieldError("language", message, "invalid")])
    return value


def _signed_in(external_id: str | None, email: str) -> Customer | None:
    """The signed-in customer the front end names; their address must be the one sent."""
    if external_id is None:
        return None
    customer = Customer.objects.filter(external_id=external_id).first()
    if customer is None:
        message = _("Unknown customer %(id)s.") % {"id": external_id}
        raise invalid([FieldError("customer", message, "unknown")])
    if customer.email.strip().lower() != email:
        message = _("This e-mail address is not the customer's.")
        raise invalid([FieldError("email", message, "not_the_customers")])
    return customer


def _ip(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        validate_ipv46_address(value)
    except ValidationError:
        message = _("Enter a valid IPv4 or IPv6 address.")
        raise invalid([FieldError("customer_ip", message, "invalid")]) from None
    return value


@router.post(
    "/contact-messages",
    response={201: ContactMessageOut, **errors_for(WRITE, 429)},
    auth=WRITE,
)
def contact_message_post(
    request: HttpRequest, payload: ContactMessageIn
) -> Status[ContactMessageOut]:
    """A customer's message to a contact, as if sent through the contact form."""
    language = _language(payload.language)
    ip_address = _ip(payload.customer_ip)
    desk_settings = DeskSettings.load()
    files = decode_files([payload.attachment], "attachment") if payload.attachment else []
    if files and not desk_settings.allow_file_uploads:
        message = _("File uploads are turned off for the contact form.")
        raise invalid([FieldError("attachment", message, "uploads_off")])
    form = ContactMessageBaseForm(
        {
            "contact": str(payload.contact_id),
            "email": payload.email,
            "message": payload.message,
            "order_reference": payload.order_reference,
        },
        MultiValueDict({"attachment": files}),
        language=language,
        allow_uploads=desk_settings.allow_file_uploads,
    )
    if not form.is_valid():
        raise invalid(form_errors(form, rename={"contact": "contact_id"}))
    data = form.cleaned_data
    customer = _signed_in(payload.customer, data["email"])
    if contact_message_rate_limited(ip_address=ip_address, email=data["email"]):
        message = _("Too many messages from this address: wait a few minutes and try again.")
        raise ApiError(429, "rate_limited", message)
    try:
        outcome = contact_message_submit(
            submission=Submission.from_form(
                data,
                language=language,
                ip_address=ip_address,
                user_agent=payload.user_agent,
                customer=customer,
            )
        )
    except SubmitError as exc:
        raise ApiError(422, "cannot_deliver", str(exc)) from None
    thread_id = outcome.thread.pk if outcome.thread else None
    return Status(201, ContactMessageOut(thread_id=thread_id, duplicate=outcome.duplicate))
