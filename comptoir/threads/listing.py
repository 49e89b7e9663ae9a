"""The thread list of the customer service page: filters, sorting and keyset pagination.

Every key the browser sends is checked against an allow-list; nothing the user types becomes an
ORM lookup. Pages are found by keyset (the sort value and the id of the last row shown), so the
1,000th page costs what the first does, and no COUNT(*) runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from comptoir.lib.fold import fold, folded_contains
from comptoir.lib.keyset import (
    CursorInvalid,
    Keyset,
    KeysetPage,
    cursor_decode,
    cursor_encode,
    keyset_page,
)
from comptoir.lib.params import date_param, has_nul, int_param
from comptoir.staff.directory import employees_by_pk
from comptoir.staff.models import Employee
from comptoir.threads.models import Contact, Message, Status, Thread
from comptoir.threads.search import (
    RANKED,
    SearchQuery,
    search_condition,
    search_excerpts,
    search_parse,
    search_prepare,
    search_ranked,
    search_window,
)

PAGE_SIZES = (20, 50, 100, 300)
DEFAULT_PAGE_SIZE = 50
# Sort key → model field. Each has an index starting with it (or is the primary key).
SORTS = {
    "id": "id",
    "last_message": "last_message_at",
    "email": "email",
    "status": "status",
    "language": "language",
}
# The search's order: best match first among the newest matching threads (``search_ranked``);
# without search words, the list's order by ID. The sort control's default, so that a search
# typed on any page comes ranked; "ID, descending" is the search newest first.
RELEVANCE = "relevance"
# The views above the list: a name in the URL (``?view=mine``) → what it keeps. Each is served
# by an index starting with its columns, and counted by counters (``stats.view_counts``).
VIEWS = {
    "mine": pgettext_lazy("view", "Mine"),
    "unassigned": pgettext_lazy("view", "Unassigned"),
    "open": pgettext_lazy("view", "All open"),
    "pending": pgettext_lazy("view", "Pending"),
    "closed": pgettext_lazy("view", "Closed"),
}
NOT_CLOSED = (Status.OPEN, Status.PENDING1, Status.PENDING2)
FILTER_KEYS = (
    "view",
    "id",
    "customer",
    "email",
    "contact",
    "language",
    "status",
    "employee",
    "message",
    "private",
    "from",
    "to",
    "q",
    "snoozed",
)


# The filters' names as the page labels them, for their errors.
FILTER_LABELS = {
    "view": pgettext_lazy("list", "View"),
    "id": gettext_lazy("ID"),
    "customer": gettext_lazy("Customer"),
    "email": gettext_lazy("E-mail"),
    "contact": gettext_lazy("Type"),
    "employee": gettext_lazy("Employee"),
    "language": gettext_lazy("Language"),
    "status": gettext_lazy("Status"),
    "message": gettext_lazy("Messages"),
    "private": gettext_lazy("Private"),
    "from": pgettext_lazy("date range", "From"),
    "to": pgettext_lazy("date range", "To"),
    "q": gettext_lazy("Search"),
    "snoozed": gettext_lazy("Snoozed"),
}
# The snoozed filter: absent, the snoozed threads are left out (``threads.snooze``).
SNOOZED_CHOICES = {
    "yes": gettext_lazy("Snoozed threads only"),
    "all": gettext_lazy("Snoozed threads too"),
}


def filters_describe(
    filters: Any, *, contacts: list[Contact], employees: list[Employee], language: str
) -> str:
    """The list's filters as the page names them: ``Search “parcel”, Status Open`` ("" for
    none). ``filters`` is what the session kept (anything not a dict of text counts as none)."""
    if not isinstance(filters, dict):
        return ""
    contact_names = {str(c.pk): c.name_in(language) for c in contacts}
    employee_names = {str(e.pk): e.short_name for e in employees}
    special: dict[str, dict[str, Any]] = {
        "status": {
            **dict(Status.choices),
            "pending": _("Pending 1 or 2"),
            "unhandled": _("Not handled"),
        },
        "contact": {**contact_names, "none": _("No contact (order page)")},
        "employee": {**employee_names, "none": _("Nobody")},
        "private": {"yes": _("Yes"), "no": _("No")},
        "view": VIEWS,
        "snoozed": SNOOZED_CHOICES,
    }
    parts = []
    for key in FILTER_KEYS:
        value = filters.get(key)
        if isinstance(value, str) and value:
            shown = str(special.get(key, {}).get(value, value))
            parts.append(f"{FILTER_LABELS[key]} “{shown}”")
    return ", ".join(parts)


def filter_errors(filters: dict[str, str]) -> dict[str, str]:
    """Why a filter's value cannot be used (translated), by filter; such a filter matches
    nothing (``apply_filters``) and the page says why."""
    errors = {}
    if "id" in filters and int_param(filters["id"].lstrip("#")) is None:
        errors["id"] = _("Enter a whole number.")
    for key in ("contact", "employee"):
        if key in filters and filters[key] != "none" and int_param(filters[key]) is None:
            errors[key] = _("Select a valid choice.")
    if "view" in filters and filters["view"] not in VIEWS:
        errors["view"] = _("Select a valid choice.")
    for key in ("from", "to"):
        if key in filters and date_param(filters[key]) is None:
            errors[key] = _("Enter a valid date.")
    if "q" in filters and search_parse(filters["q"]).bad_status:
        errors["q"] = _("status: takes open, closed, pending1, pending2 or pending.")
    # No NUL character in any of them: no database stores one (PostgreSQL refuses the query).
    for key, value in filters.items():
        if has_nul(value):
            errors[key] = _("Null characters are not allowed.")
    return errors


@dataclass
class ListParams:
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = "id"
    descending: bool = True
    size: int = DEFAULT_PAGE_SIZE
    # The sort as the URL chose it ("": none, which is relevance when searching, else by ID).
    sort_given: str = ""
    after: str = ""
    before: str = ""
    # Filters that cannot be used, with why (shown above the list, which they leave empty).
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def error_lines(self) -> list[tuple[str, str]]:
        """(the filter's label, what is wrong) for the page."""
        return [(str(FILTER_LABELS[key]), error) for key, error in self.errors.items()]

    @classmethod
    def from_query(cls, query: QueryDict) -> ListParams:
        filters = {
            key: query.get(key, "").strip()[:200]
            for key in FILTER_KEYS
            if query.get(key, "").strip()
        }
        sort_given = query.get("sort", "")
        searching = bool(search_parse(filters.get("q", "")).terms)
        if sort_given == RELEVANCE or (not sort_given and searching):
            sort = RELEVANCE
        elif sort_given in SORTS:
            sort = sort_given
        else:
            sort = "id"
        try:
            size = int(query.get("size", DEFAULT_PAGE_SIZE))
        except ValueError:
            size = DEFAULT_PAGE_SIZE
        return cls(
            filters=filters,
            errors=filter_errors(filters),
            sort=sort,
            sort_given=sort_given if sort_given in {*SORTS, RELEVANCE} else "",
            descending=query.get("dir", "desc") != "asc",
            size=size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE,
            after=query.get("after", "")[:200],
            before=query.get("before", "")[:200],
        )

    def view_query(self, view: str) -> str:
        """A view's link: the view alone, the list's order and page size kept."""
        return f"view={view}&" + self.query_string(**dict.fromkeys(self.filters))

    @property
    def sort_choice(self) -> str:
        """What the sort control shows: relevance unless another order was chosen."""
        return self.sort if self.sort_given else RELEVANCE

    @property
    def engine_paged(self) -> bool:
        """The search's words are left to ``paginate`` (``apply_filters(…, words=False)``):
        ranked, or by ID through the engine's id order (``search_window``)."""
        return self.ranked or (
            self.sort == "id" and bool(search_parse(self.filters.get("q", "")).terms)
        )

    @property
    def ranked(self) -> bool:
        """The rows come best match first (``search_ranked``), paged within the ranked ones."""
        return self.sort == RELEVANCE and bool(search_parse(self.filters.get("q", "")).terms)

    @property
    def saved_query(self) -> str:
        """What a saved filter keeps: the filters, the order and the page size (no cursor)."""
        return self.query_string()

    def query_string(self, **changes: Any) -> str:
        """The list's URL parameters with some changed (None removes one)."""
        values: dict[str, Any] = {
            **self.filters,
            "sort": self.sort,
            "dir": "desc" if self.descending else "asc",
            "size": self.size,
        }
        values.update(changes)
        query = QueryDict(mutable=True)
        for key, value in values.items():
            if value not in (None, ""):
                query[key] = str(value)
        return query.urlencode()


def _day_start(value: str, *, end: bool = False) -> datetime | None:
    day = date_param(value)
    if day is None:
        return None
    moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    return timezone.make_aware(moment)


def view_condition(view: str, employee: Employee | None) -> Q:
    """What a view keeps (``VIEWS``): "Mine" and "Unassigned" are the threads not closed yet
    assigned to ``employee`` and to nobody; "All open", "Pending" (1 or 2) and "Closed" go by
    status alone, so those three share out every thread."""
    if view == "mine":
        return Q(assignee_id=employee.pk if employee else -1, status__in=NOT_CLOSED)
    if view == "unassigned":
        return Q(assignee__isnull=True, status__in=NOT_CLOSED)
    if view == "pending":
        return Q(status__in=[Status.PENDING1, Status.PENDING2])
    if view == "closed":
        return Q(status=Status.CLOSED)
    return Q(status=Status.OPEN)


def apply_filters(
    threads: QuerySet[Thread],
    filters: dict[str, str],
    *,
    employee: Employee | None = None,
    words: bool = True,
    query: SearchQuery | None = None,
) -> QuerySet[Thread]:
    """The threads the filters keep (``employee``: whose "Mine" view it is); a filter whose
    value cannot be used (``filter_errors``) keeps none. ``words=False``: the search's words
    left to the ranking (``ranked_page``), its operators kept. ``query``: the search box's,
    already looked up (``page_query``)."""
    if filter_errors(filters):
        return threads.none()
    condition: Q = Q()
    if filters.get("view"):
        condition &= view_condition(filters["view"], employee)
    value = filters.get("id", "").lstrip("#")
    if value:
        condition &= Q(pk=_int(value))
    if filters.get("customer"):
        condition &= _names_match(filters["customer"])
    if filters.get("email"):
        condition &= _email_match(filters["email"])
    if filters.get("contact"):
        contact = filters["contact"]
        condition &= Q(contact__isnull=True) if contact == "none" else Q(contact_id=_int(contact))
    if filters.get("language"):
        condition &= Q(language=filters["language"])
    if filters.get("status") in Status.values:
        condition &= Q(status=filters["status"])
    elif filters.get("status") == "pending":
        condition &= Q(status__in=[Status.PENDING1, Status.PENDING2])
    elif filters.get("status") == "unhandled":  # the "Threads not handled" tile
        condition &= Q(status__in=[Status.OPEN, Status.PENDING1, Status.PENDING2])
    if filters.get("employee"):
        chosen = filters["employee"]
        condition &= (
            Q(assignee__isnull=True, last_employee__isnull=True)
            if chosen == "none"
            else Q(assignee_id=_int(chosen))
            | Q(assignee__isnull=True, last_employee_id=_int(chosen))
        )
    if filters.get("message"):
        condition &= Q(Exists(_messages_containing(filters["message"])))
    if filters.get("private") in {"yes", "no"}:
        condition &= Q(has_private=filters["private"] == "yes")
    if filters.get("snoozed") == "yes":
        condition &= Q(snoozed_until__isnull=False)
    elif filters.get("snoozed") != "all":
        # Written as NOT … IS NOT NULL so that SQLite's planner does not take the worker's
        # snoozed_until index for "IS NULL" (every row) instead of the sort's index.
        condition &= ~Q(snoozed_until__isnull=False)
    start, end = _day_start(filters.get("from", "")), _day_start(filters.get("to", ""), end=True)
    if start:
        condition &= Q(last_message_at__gte=start)
    if end:
        condition &= Q(last_message_at__lt=end)
    threads = threads.filter(condition)
    search = filters.get("q", "")
    if search:
        threads = threads.filter(search_condition(query or search_parse(search), words=words))
    return threads


# Text filters match whatever the case and accents, of the query and of the data (``lib.fold``):
# "LUCÍA", "lucia" and "Lucía" find the same threads.


def _names_match(text: str) -> Q:
    """Each of the first three words in the customer's name (stored folded)."""
    condition = Q()
    for word in fold(text).split()[:3]:
        condition &= Q(customer__name_folded__contains=word)
    return condition


def _email_match(text: str) -> Q:
    """In the address. Addresses are stored in lower case; the query is folded, and also only
    lowered, so an address written with accents is found as typed too."""
    lowered = text.strip().lower()
    folded = fold(lowered)
    condition = Q(email__contains=folded)
    return condition | Q(email__contains=lowered) if lowered != folded else condition


def _messages_containing(text: str) -> QuerySet[Message]:
    """The thread's messages holding ``text``: every message, as PrestaShop's search does."""
    return Message.objects.filter(folded_contains("text", text), thread=OuterRef("pk"))


def _int(value: str) -> int:
    number = int_param(value)
    return -1 if number is None else number


@dataclass(slots=True)
class ListedThread:
    """A row of the list, as plain values: 50 rows with their contact, customer and two
    employees were 250 model instances, two thirds of the page's time at 10^5 threads. The
    contact and the employees come from the lists the page loads anyway (``listed_attach``)."""

    pk: int
    is_unread: bool
    email: str
    language: str
    status: str
    has_private: bool
    last_message_excerpt: str
    last_message_at: datetime
    contact_id: int | None
    customer_name: str
    assignee_id: int | None
    last_employee_id: int | None
    contact: Contact | None = None
    assignee: Employee | None = None
    last_employee: Employee | None = None
    # When searching: where the words were found, escaped, the words marked (``listed_highlight``).
    found: SafeString | None = None


# What a ListedThread reads, in its order (the customer's two names make customer_name).
LISTED_COLUMNS = (
    *("id", "is_unread", "email", "language", "status", "has_private"),
    *("last_message_excerpt", "last_message_at", "contact_id"),
    *("customer__first_name", "customer__last_name", "assignee_id", "last_employee_id"),
)


def _listed(row: tuple[Any, ...]) -> ListedThread:
    pk, unread, email, language, status, private, excerpt, at, contact_id = row[:9]
    first, last, assignee_id, last_employee_id = row[9:13]
    name = f"{first or ''} {last or ''}".strip()
    return ListedThread(
        *(pk, unread, email, language, status, private, excerpt, at, contact_id, name),
        *(assignee_id, last_employee_id),
    )


def listed_attach(
    rows: list[ListedThread], contacts: list[Contact], employees: list[Employee]
) -> None:
    """Each row's contact and employees from the page's lists; former employees (not in the
    active list) in one query."""
    by_contact = {contact.pk: contact for contact in contacts}
    staff = employees_by_pk(
        (pk for row in rows for pk in (row.assignee_id, row.last_employee_id)), employees
    )
    for row in rows:
        row.contact = by_contact.get(row.contact_id) if row.contact_id else None
        row.assignee = staff.get(row.assignee_id) if row.assignee_id else None
        row.last_employee = staff.get(row.last_employee_id) if row.last_employee_id else None


def listed_highlight(rows: list[ListedThread], query: SearchQuery) -> None:
    """When searching, each row's excerpt around the words found, the words marked (one query;
    ``query``: the page's, from ``page_query``)."""
    if query.terms and rows:
        found = search_excerpts(query, [row.pk for row in rows])
        for row in rows:
            row.found = found.get(row.pk)


@dataclass
class RankedPage(KeysetPage[ListedThread]):
    """A page of a ranked search; ``capped``: more threads match than were ranked."""

    capped: bool = False


def _read(found: QuerySet[Thread]) -> list[ListedThread]:
    return [_listed(row) for row in found.values_list(*LISTED_COLUMNS)]


def page_query(params: ListParams) -> SearchQuery:
    """The search of the list's page, looked up once for all its parts (``search_prepare``)."""
    return search_prepare(search_parse(params.filters.get("q", "")))


def ranked_page(
    threads: QuerySet[Thread],
    params: ListParams,
    query: SearchQuery,
    *,
    after: str = "",
    before: str = "",
) -> RankedPage:
    """A page of the search's threads best match first (``search_ranked``), from ``threads``
    filtered by all but the search's words (``apply_filters(…, words=False)``).

    The cursors hold the newest thread ranked on the first page (its id: threads arriving later
    stay out of the next pages, which rank the same threads) and where the page starts (or,
    going back, ends) in the ranking: pages of one ranking, bounded by ``RANKED``, so neither a
    duplicate nor a gap between them. Raises ``CursorInvalid`` for a cursor it did not make."""
    horizon = 0
    cursor = after or before
    if cursor:
        horizon, at = cursor_decode(cursor, [int, int])
        if horizon < 1 or not 0 <= at <= RANKED:
            raise CursorInvalid(cursor)
    ranked = search_ranked(threads, query, horizon=horizon)
    if not ranked:
        return RankedPage(rows=[], next_cursor="", previous_cursor="")
    horizon = horizon or max(pk for pk, _ in ranked)
    if after or not before:
        start = at if cursor else 0
        end = min(start + params.size, len(ranked))
    else:
        end = min(at, len(ranked))
        start = max(0, end - params.size)
    ids = [pk for pk, _ in ranked[start:end]]
    by_pk = {row.pk: row for row in _read(Thread.objects.filter(pk__in=ids))}
    return RankedPage(
        rows=[by_pk[pk] for pk in ids if pk in by_pk],
        next_cursor=cursor_encode([horizon, end]) if end < len(ranked) else "",
        previous_cursor=cursor_encode([horizon, start]) if start > 0 else "",
        capped=len(ranked) >= RANKED,
    )


def paginate(
    threads: QuerySet[Thread], params: ListParams, query: SearchQuery | None = None
) -> KeysetPage[ListedThread]:
    """One page of rows by keyset on (sort field, id), in either direction, or of a search
    ranked by relevance (``ranked_page``: ``threads`` then filtered with ``words=False``); a
    cursor the list did not make (forged, or from another sort) shows the first page."""
    query = query or page_query(params)
    if params.ranked:
        try:
            return ranked_page(threads, params, query, after=params.after, before=params.before)
        except CursorInvalid:
            return ranked_page(threads, params, query)
    keyset = Keyset(SORTS.get(params.sort, "id"), descending=params.descending)
    if params.engine_paged:
        try:
            return _search_id_page(threads, params, query, keyset, params.after, params.before)
        except CursorInvalid:
            return _search_id_page(threads, params, query, keyset, "", "")
    read = _read
    try:
        return keyset_page(
            threads, keyset, limit=params.size, read=read, after=params.after, before=params.before
        )
    except CursorInvalid:
        return keyset_page(threads, keyset, limit=params.size, read=read)


# The matches a page by ID takes from the engine at first (then 8 times as many, then all).
WINDOW = 400


def _search_id_page(
    threads: QuerySet[Thread],
    params: ListParams,
    query: SearchQuery,
    keyset: Keyset,
    after: str,
    before: str,
) -> KeysetPage[ListedThread]:
    """A search by ID, ``threads`` filtered by all but the words: on SQLite, the keyset page
    among the engine's next matches past the cursor (``search_window``), as long as they hold
    more than a page after the other filters; otherwise, among all the matches."""
    backwards = bool(before) and not after
    cursor = before if backwards else after
    past = cursor_decode(cursor, keyset.kinds(Thread))[0] if cursor else None
    for limit in (WINDOW, 8 * WINDOW):
        window = search_window(
            query, newest_first=params.descending != backwards, past=past, limit=limit
        )
        if window is None:
            break
        page = keyset_page(
            threads.filter(pk__in=window),
            keyset,
            limit=params.size,
            read=_read,
            after=after,
            before=before,
        )
        more = page.previous_cursor if backwards else page.next_cursor
        if more or len(window) < limit:
            return page
    every = threads.filter(search_condition(query))
    return keyset_page(every, keyset, limit=params.size, read=_read, after=after, before=before)


def newest_thread_id(threads: QuerySet[Thread]) -> int:
    """The id of the newest of ``threads`` (0: none), which the live region polls against."""
    return threads.order_by("-pk").values_list("pk", flat=True).first() or 0


def list_version(values: Mapping[str, int]) -> str:
    """A token that changes whenever a list's rows may have: the thread written last (its
    ``updated_at``, read through its index) and the counters (``values``), which also move when
    a thread is read, deleted or moved without being written. The list's refresh compares it."""
    latest = Thread.objects.order_by("-updated_at", "-id").values_list("updated_at", "id").first()
    state = repr((latest, sorted(values.items()))).encode()
    return hashlib.blake2s(state, digest_size=8).hexdigest()
