"""Which thread an incoming e-mail belongs to (REFERENCE B4), from plain values — no MIME here.

Two signals, strongest first: one of our signed Message-IDs in In-Reply-To / References, then the
``#ct<id> #tc<marker>`` subject markers (the marker an HMAC of the id; e-mails sent before it
existed carried the conversation link's secret there, which is still recognised). Either is
trusted only when the sender is the thread's customer or someone we forwarded the thread to: a
forged or truncated signature, a marker from another sender, a reply to someone else's thread
never lands in the victim's thread. Nothing else joins a thread: the sender's address alone
opens a new one. A thread merged into another leads to that one.

The threads a batch of messages names are read once for all of them (``ThreadLookup``): the
decision for each message is then made without a query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from comptoir.lib.addresses import email_normalize
from comptoir.lib.msgid import find_signed_thread_ids, verify_reply_marker
from comptoir.lib.tokens import same_secret
from comptoir.staff.models import Employee
from comptoir.threads.emails import message_id_key, reply_marker_key
from comptoir.threads.models import EmailKind, OutboundEmail, Thread


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

    @classmethod
    def read(cls, references: Iterable[str], markers: tuple[int, str] | None) -> Signals:
        header = " ".join(references)
        signed = find_signed_thread_ids(header, key=message_id_key())
        return cls(signed=list(reversed(signed)), markers=markers)

    def thread_ids(self) -> list[int]:
        return [*self.signed, *([self.markers[0]] if self.markers else [])]


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
        if sender and sender in lookup.participants(thread):
            return Match(lookup.destination(thread), "matched by our signed Message-ID")
        return Match(None, f"signed reference to thread {thread_id} from another sender", True)
    if signals.markers is not None:
        thread_id, marker = signals.markers
        thread = lookup.threads.get(thread_id)
        if thread is None or not markers_name(thread, marker):
            return Match(None, "subject markers that match no thread", refused=True)
        if sender and sender in lookup.participants(thread):
            return Match(lookup.destination(thread), "matched by the subject markers")
        return Match(None, f"subject markers of thread {thread_id} from another sender", True)
    return Match(None, "no reference to a thread")
