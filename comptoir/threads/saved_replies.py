"""Saved replies: who sees and manages which, the page's search, and what the thread page offers.

A shared reply (no owner) is seen by every employee and managed by administrators; a personal
one is seen and managed by its owner alone (administrators included: it is theirs, not the
team's). The changes themselves are ``desk_settings.services.saved_reply_*``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404

from comptoir.lib.fold import fold
from comptoir.staff.models import Employee
from comptoir.threads.models import SavedReply, Thread
from comptoir.threads.variables import variable_values, variables_fill, variables_unfilled

# The thread page offers at most this many (shared ones first, then the employee's own).
OFFER_LIMIT = 200


def saved_replies_for_employee(employee: Employee) -> QuerySet[SavedReply]:
    """The shared replies and the employee's own, shared first, then by id."""
    shared_first = F("owner").asc(nulls_first=True)
    return SavedReply.objects.filter(Q(owner__isnull=True) | Q(owner=employee)).order_by(
        shared_first, "id"
    )


def saved_replies_search(replies: QuerySet[SavedReply], query: str) -> QuerySet[SavedReply]:
    """The replies whose name or text, in any language, holds ``query`` (case and accents
    ignored); each word of the query must appear."""
    for word in fold(query).split()[:10]:
        replies = replies.filter(search_folded__contains=word)
    return replies


def saved_reply_search_text(*, name: dict[str, str], text: dict[str, str]) -> str:
    """What ``search_folded`` holds: every name and text, folded."""
    return fold("\n".join([*name.values(), *text.values()]))


def saved_reply_may_manage(employee: Employee, reply: SavedReply) -> bool:
    if reply.owner_id is None:
        return employee.is_administrator
    return reply.owner_id == employee.pk


def saved_reply_get_for_employee(employee: Employee, pk: int, *, manage: bool) -> SavedReply:
    """The reply if the employee sees it (404 otherwise); with ``manage``, 403 when they see it
    but may not change it (an agent and a shared reply)."""
    reply = get_object_or_404(saved_replies_for_employee(employee), pk=pk)
    if manage and not saved_reply_may_manage(employee, reply):
        raise PermissionDenied
    return reply


def saved_replies_offer(
    *, thread: Thread, employee: Employee, language: str
) -> list[dict[str, object]]:
    """Each reply the employee may insert: its name in ``language`` (the page's), its text in
    the thread's language with the variables filled from the thread's customer and order, and
    the variables that have no value (left in the text as typed, for the agent to fill)."""
    replies = list(saved_replies_for_employee(employee)[:OFFER_LIMIT])
    if not replies:
        return []
    order = thread.order
    if order is not None and order.current_state_id is not None:
        # One query for the state's name, only when a reply is offered.
        order = type(order).objects.select_related("current_state").get(pk=order.pk)
    values = variable_values(
        customer=thread.customer, order=order, employee=employee, language=thread.language
    )
    offered: list[dict[str, object]] = []
    for reply in replies:
        filled = variables_fill(reply.text_in(thread.language), values)
        offered.append(
            {
                "id": reply.pk,
                "name": reply.name_in(language),
                "text": filled.text,
                "missing": list(variables_unfilled(filled.text)) if filled.missing else [],
                "shared": reply.owner_id is None,
            }
        )
    return offered
