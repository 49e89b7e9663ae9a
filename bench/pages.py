"""The pages the benchmark measures, found in the generated data (shared by in-process and HTTP).

- ``desk_first``: the customer service page as it opens (KPIs, contact boxes, statistics, the
  first 50 threads);
- ``desk_deep``: the same page filtered (closed threads in French), sorted by last message,
  half-way down the list: the cursor is the one the page would link to at that position;
- ``desk_search``: the search box, one word (the full-text index; budget 30 ms at 10^6);
- ``desk_search_words``: three words (budget 50 ms at 10^6);
- ``desk_search_newest``: the one word, newest first (the sort control's "ID") instead of
  ranked;
- ``thread``: a thread with 50 messages (one of several, in turn);
- ``order``: an order with its status history and threads;
- ``contact_get`` / ``contact_post``: the public form, and sending it (a new address each time).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from urllib.parse import urlencode

DEEP_FILTERS = {"status": "closed", "language": "fr", "sort": "last_message", "dir": "desc"}


@dataclass
class Targets:
    admin_email: str
    desk_first: str
    desk_deep: str
    desk_search: str
    desk_search_words: str
    desk_search_newest: str
    thread_ids: list[int] = field(default_factory=list)
    order_ids: list[int] = field(default_factory=list)
    contact_id: int = 0
    deep_position: int = 0


def targets_find(seed: int = 7) -> Targets:
    from comptoir.lib.keyset import cursor_encode
    from comptoir.staff.models import Employee, Role
    from comptoir.threads.listing import SORTS
    from comptoir.threads.models import Contact, Thread

    rng = random.Random(seed)
    admin = Employee.objects.filter(role=Role.ADMINISTRATOR).order_by("id").first()
    assert admin is not None, "no administrator: generate the data first"
    deep = Thread.objects.filter(status=DEEP_FILTERS["status"], language=DEEP_FILTERS["language"])
    position = deep.count() // 2
    name = SORTS[DEEP_FILTERS["sort"]]
    value, pk = deep.order_by(f"-{name}", "-id").values_list(name, "id")[position]
    thread_ids = list(
        Thread.objects.filter(message_count=50).order_by("id").values_list("id", flat=True)[:200]
    )
    ordered = Thread.objects.filter(order__isnull=False).order_by("-id")
    order_ids = list(dict.fromkeys(ordered.values_list("order_id", flat=True)[:200]))[:50]
    contact = Contact.objects.filter(save_messages=True).order_by("-position", "id").first()
    rng.shuffle(thread_ids)
    rng.shuffle(order_ids)
    return Targets(
        admin_email=admin.email,
        desk_first="/desk/",
        desk_deep="/desk/?" + urlencode({**DEEP_FILTERS, "after": cursor_encode([value, pk])}),
        desk_search="/desk/?" + urlencode({"q": "remboursement"}),
        desk_search_words="/desk/?" + urlencode({"q": "colis arrivé abîmé"}),
        desk_search_newest="/desk/?" + urlencode({"q": "remboursement", "sort": "id"}),
        thread_ids=thread_ids,
        order_ids=order_ids,
        contact_id=contact.pk if contact else 0,
        deep_position=position,
    )
