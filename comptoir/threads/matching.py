"""Which thread an incoming e-mail belongs to (REFERENCE B4), from plain values — no MIME here.

Two signals, strongest first: one of our signed Message-IDs in In-Reply-To / References, then the
``#ct<id> #tc<token>`` subject markers. Either is trusted only when the sender is the thread's
customer or someone we forwarded the thread to: a forged or truncated signature, a marker from
another sender, a reply to someone else's thread never lands in the victim's thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from comptoir.lib.msgid import find_signed_thread_ids
from comptoir.lib.tokens import same_secret
from comptoir.staff.models import Employee
from comptoir.threads.emails import message_id_key
from comptoir.threads.models import EmailKind, Thread


@dataclass(frozen=True)
class Match:
    thread: Thread | None
    decision: str
    # A thread was named by a valid signal, but the sender is not one of its participants.
    refused: bool = False


def thread_participants(thread: Thread) -> set[str]:
    """Addresses that may write into the thread: its customer, and outsiders we forwarded it to."""
    forwarded = thread.emails.filter(kind=EmailKind.FORWARD).values_list("to_email", flat=True)
    employees = set(Employee.objects.values_list("email", flat=True))
    return {thread.email.lower()} | {a.lower() for a in forwarded if a.lower() not in employees}


def thread_match_incoming(
    *, sender: str, references: Iterable[str], markers: tuple[int, str] | None
) -> Match:
    sender = sender.strip().lower()
    header = " ".join(references)
    for thread_id in reversed(find_signed_thread_ids(header, key=message_id_key())):
        thread = Thread.objects.filter(pk=thread_id).first()
        if thread is None:
            continue
        if sender and sender in thread_participants(thread):
            return Match(thread, "matched by our signed Message-ID")
        return Match(None, f"signed reference to thread {thread_id} from another sender", True)
    if markers is not None:
        thread_id, token = markers
        thread = Thread.objects.filter(pk=thread_id).first()
        if thread is None or not same_secret(token, thread.token):
            return Match(None, "subject markers that match no thread", refused=markers is not None)
        if sender and sender in thread_participants(thread):
            return Match(thread, "matched by the subject markers")
        return Match(None, f"subject markers of thread {thread_id} from another sender", True)
    return Match(None, "no reference to a thread")
