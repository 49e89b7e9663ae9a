"""A conversation script: what happens in one thread, turn by turn.

The scripts themselves are in ``languages/<language>.toml``. Texts may use {first}, {last} (the
customer), {ref}, {amount} (the order), {tracking}, {code} and {shop}. An employee's answer is the
body only: it is wrapped in the greeting and closing of the desk's default message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from comptoir.threads.models import Status

TurnKind = Literal["customer", "reply", "note", "mark", "forward"]
# What the thread is about, for the order it comes with: the status the order had reached when
# the customer wrote (None: no order).
Stage = Literal["awaiting", "just_paid", "cancel", "in_transit", "delivered", "refund"]
ContactKey = Literal["service", "webmaster"]


@dataclass(frozen=True)
class Turn:
    kind: TurnKind
    text: str = ""
    status: Status = Status.CLOSED  # after a reply or a mark
    attachment: str = ""  # the file the customer sends with this message (its name)
    forward_to: str = ""  # "admin" or an e-mail address


@dataclass(frozen=True)
class Script:
    key: str
    language: str
    contact: ContactKey
    stage: Stage | None
    turns: tuple[Turn, ...]
    product: str = ""


# The status an order had reached when the customer wrote about it: (statuses the order goes
# through, index of the status the thread follows, hours from that status to the first message,
# hours from the first message to the next status or None).
STAGES: dict[
    Stage, tuple[tuple[str, ...], int, tuple[float, float], tuple[float, float] | None]
] = {
    "awaiting": (
        ("awaiting", "accepted", "processing", "shipped", "delivered"),
        0,
        (60, 80),
        (2, 10),
    ),
    "just_paid": (("accepted", "processing", "shipped", "delivered"), 0, (0.2, 3), (2, 12)),
    "cancel": (("accepted", "canceled"), 0, (0.3, 5), (1, 6)),
    "in_transit": (("accepted", "processing", "shipped", "delivered"), 2, (120, 200), (20, 70)),
    "delivered": (("accepted", "processing", "shipped", "delivered"), 3, (6, 100), None),
    "refund": (
        ("accepted", "processing", "shipped", "delivered", "refunded"),
        3,
        (24, 150),
        (100, 300),
    ),
}

# Hours before each step of a thread: (shortest, longest).
STEP_DELAY_HOURS: dict[str, tuple[float, float]] = {
    "customer": (2.0, 50.0),
    "reply": (0.4, 20.0),
    "note": (0.1, 2.0),
    "mark": (0.3, 6.0),
    "forward": (0.1, 1.5),
    "assign": (0.05, 2.0),
}


def cut_points(script: Script) -> list[int]:
    """Where a conversation can stand today: after a customer message or an answer, or done."""
    points = {i + 1 for i, turn in enumerate(script.turns) if turn.kind in ("customer", "reply")}
    points.add(len(script.turns))
    return sorted(points)


def final_status(turns: Sequence[Turn]) -> Status:
    """The status the services leave after ``turns`` (a customer message re-opens)."""
    status = Status.OPEN
    for turn in turns:
        if turn.kind == "customer":
            status = Status.OPEN
        elif turn.kind in ("reply", "mark"):
            status = turn.status
    return status
