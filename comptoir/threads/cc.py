"""Copies (Cc) of a reply: the addresses an employee may copy, and those a reply suggests.

What an employee types is checked here before it reaches a header: no line break or other control
character (no header injection), each address valid and in its stored form
(``lib.addresses.email_normalize``), at most ``CC_MAX`` of them. ``Name <address>`` is accepted
and kept as the address only.

A copied person is not a participant of the thread (``threads.matching``): their reply carries our
Message-ID but comes from another sender, so it waits on the *Unmatched mail* page for an
employee rather than joining the customer's conversation (docs/DECISIONS.md, issue 18).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from comptoir.lib.addresses import email_normalize

CC_MAX = 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SEPARATORS = re.compile(r"[,;]")
_NAMED = re.compile(r"^[^<>]*<([^<>]+)>$")


class CcError(ValueError):
    """Copies that cannot be sent (the message says why, translated)."""


def cc_parse(value: str) -> tuple[str, ...]:
    """The addresses of a Cc field (commas or semicolons between them), checked and in their
    stored form, without repeats; raises ``CcError``."""
    if _CONTROL.search(value):
        raise CcError(_("The copies cannot contain line breaks or control characters."))
    addresses: list[str] = []
    for part in _SEPARATORS.split(value):
        part = part.strip()
        if not part:
            continue
        named = _NAMED.match(part)
        address = email_normalize(named.group(1) if named else part)
        try:
            validate_email(address)
        except ValidationError:
            raise CcError(
                _("%(address)s is not a valid e-mail address.") % {"address": part}
            ) from None
        if address not in addresses:
            addresses.append(address)
    if len(addresses) > CC_MAX:
        raise CcError(_("At most %(count)s copies per reply.") % {"count": CC_MAX})
    return tuple(addresses)


def cc_join(addresses: Iterable[str]) -> str:
    """How copies are stored (``Message.cc``, ``OutboundEmail.cc``) and shown."""
    return ", ".join(addresses)


def cc_split(stored: str) -> list[str]:
    return [address.strip() for address in stored.split(",") if address.strip()]


def cc_suggested(*, stored: str, customer: str, own: Iterable[str]) -> list[str]:
    """The copies a reply starts with: those of the customer's latest mail (``stored``), minus
    the customer and the shop's own addresses (``own``), at most ``CC_MAX``."""
    left_out = {email_normalize(address) for address in own if address} | {customer}
    suggested = [a for a in cc_split(stored) if email_normalize(a) not in left_out]
    return list(dict.fromkeys(suggested))[:CC_MAX]
