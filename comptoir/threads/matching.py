"""Which thread an incoming e-mail belongs to (REFERENCE B4), from plain values — no MIME here.

Three signals, strongest first: one of our signed Message-IDs in In-Reply-To / References; the
Message-ID of one of the customer's own e-mails already in a thread (a follow-up to their first
mail, issue 16); the ``#ct<id> #tc<marker>`` subject markers (the marker an HMAC of the id;
e-mails sent before it existed carried the conversation link's secret there, which is still
recognised). Each is trusted only when the sender is the thread's customer or someone we
forwarded the thread to: a forged or truncated signature, a marker from another sender, a reply
to someone else's thread never lands in the victim's thread. A participant may write from a
plus-address of their own mailbox (``jane+shop@example.com`` for ``jane@example.com``): the tag
is not compared. Nothing else joins a thread: the sender's address alone opens a new one. A
thread merged into another leads to that one.

The threads a batch of messages names are read once for all of them (``ThreadLookup``): the
decision for each message is then made without a query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from comptoir.lib.addresses import email_normalize
from comptoir.lib.msgid import find_signed_thread_ids, verify_message_id, verify_reply_marker
from comptoir.lib.tokens import same_secret
from comptoir.staff.models import Employee
from comptoir.threads.emails import message_id_key, reply_marker_key
from comptoir.threads.models import Author, EmailKind, Message, OutboundEmail, Thread


@dataclass(frozen=True)
class Match:
    thread: Thread | None
    decision: str
    # A thread was named by a valid signal, but the sender is not one of its participants.
    refused: bool = False


@dataclass(frozen=True)
class Signals:
    """What in one message can name a thread: signed thread ids (last reference first), and
    the subject markers."""

    signed: Sequence[int]
    markers: tuple[int, str] | None
    # Threads holding a customer's e-mail this message refers to (last reference first).
    own: Sequence[int] = ()

    @classmethod
    def read(
        cls,
        references: Iterable[str],
        markers: tuple[int, str] | None,
        customer_mails: Mapping[str, int] | None = None,
    ) -> Signals:
        """``customer_mails``: Message-ID → thread of customers' e-mails
        (``customer_mail_threads`` of the batch's references)."""
        references = [ref for ref in references if ref]
        signed = find_signed_thread_ids(" ".join(references), key=message_id_key())
        mails = customer_mails or {}
        own = [mails[ref] for ref in reversed(references) if ref in mails]
        return cls(signed=list(reversed(signed)), markers=markers, own=list(dict.fromkeys(own)))

    def thread_ids(self) -> list[int]:
        return [*self.signed, *self.own, *([self.markers[0]] if self.markers else [])]


def customer_mail_threads(references: Iterable[str]) -> dict[str, int]:
    """The thread of each customer's e-mail whose Message-ID is among ``references`` (one
    query; none when every reference is one of our signed Message-IDs)."""
    key = message_id_key()
    theirs = {ref for ref in references if ref and verify_message_id(ref, key=key) is None}
    if not theirs:
        return {}
    found = Message.objects.filter(message_id__in=theirs, author=Author.CUSTOMER, private=False)
    return dict(found.order_by("-id").values_list("message_id", "thread_id"))


def mailbox_owner(address: str) -> str:
    """The address without its plus tag: ``jane+shop@example.com`` → ``jane@example.com``."""
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    return f"{local.split('+', 1)[0] or local}@{domain}"


class ThreadLookup:
    """The threads some messages name (and those they were merged into), with who may write
    into each, read in three queries (four when a named thread was merged)."""

    def __init__(self, thread_ids: Iterable[int]) -> None:
        ids = set(thread_ids)
        self.threads: dict[int, Thread] = Thread.objects.in_bulk(ids) if ids else {}
        merged = {t.merged_into_id for t in self.threads.values() if t.merged_into_id}
        self._merged: dict[int, Thread] = Thread.objects.in_bulk(merged) if merged else {}
        every = {**self._merged, **self.threads}
        forwarded: dict[int, set[str]] = defaultdict(set)
        if every:
            forwards = OutboundEmail.objects.filter(
                thread_id__in=every, kind=EmailKind.FORWARD
            ).values_list("thread_id", "to_email")
            for thread_id, address in forwards:
                forwarded[thread_id].add(email_normalize(address))
        employees: set[str] = set()
        if forwarded:
            employees = set(Employee.objects.values_list("email", flat=True))
        self._participants = {
            thread_id: {thread.email} | (forwarded[thread_id] - employees)
            for thread_id, thread in every.items()
        }
        # A merged thread's e-mails were moved to the thread it went into: whoever may write
        # there may answer them.
        for thread in self.threads.values():
            if thread.merged_into_id in self._participants:
                self._participants[thread.pk] |= self._participants[thread.merged_into_id]

    def participants(self, thread: Thread) -> set[str]:
        """Addresses that may write into the thread: its customer, and outsiders we forwarded
        it to."""
        return self._participants.get(thread.pk, set())

    def may_write(self, sender: str, thread: Thread) -> bool:
        """Whether ``sender`` is one of the thread's participants, from any plus-address of
        their mailbox."""
        owner = mailbox_owner(sender)
        return bool(sender) and any(
            mailbox_owner(address) == owner for address in self.participants(thread)
        )

    def destination(self, thread: Thread) -> Thread:
        """Where a message for ``thread`` goes: the thread it was merged into, if any."""
        if thread.merged_into_id is not None:
            return self._merged.get(thread.merged_into_id, thread)
        return thread


def markers_name(thread: Thread, marker: str) -> bool:
    """Whether the subject's marker is this thread's: the one derived from its id, or its link
    secret (what subjects carried before the two were separated)."""
    if verify_reply_marker(marker, key=reply_marker_key(), thread_id=thread.pk):
        return True
    return same_secret(marker, thread.link_secret)


def thread_match(*, sender: str, signals: Signals, lookup: ThreadLookup) -> Match:
    sender = email_normalize(sender)
    for thread_id in signals.signed:
        thread = lookup.threads.get(thread_id)
        if thread is None:
            continue
        if lookup.may_write(sender, thread):
            return Match(lookup.destination(thread), "matched by our signed Message-ID")
        return Match(None, f"signed reference to thread {thread_id} from another sender", True)
    for thread_id in signals.own:
        thread = lookup.threads.get(thread_id)
        if thread is None:
            continue
        if lookup.may_write(sender, thread):
            return Match(lookup.destination(thread), "matched by the customer's own e-mail")
        return Match(
            None, f"reference to an e-mail of thread {thread_id} from another sender", True
        )
    if signals.markers is not None:
        thread_id, marker = signals.markers
        thread = lookup.threads.get(thread_id)
        if thread is None or not markers_name(thread, marker):
            return Match(None, "subject markers that match no thread", refused=True)
        if lookup.may_write(sender, thread):
            return Match(lookup.destination(thread), "matched by the subject markers")
        return Match(None, f"subject markers of thread {thread_id} from another sender", True)
    return Match(None, "no reference to a thread")
