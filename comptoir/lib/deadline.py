"""An overall deadline for a blocking network exchange (issue 16).

A socket timeout bounds each read, not the exchange: a peer that sends one byte every few seconds
never trips it and holds the caller for as long as it likes. ``socket_deadline`` starts a timer;
when it fires, the socket is shut down, so whatever read or write is blocked on it returns at
once, and the caller learns that the deadline passed (``expired``).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator


class DeadlineExceeded(TimeoutError):
    """The whole exchange took longer than its deadline."""


@contextlib.contextmanager
def socket_deadline(
    seconds: float, current_socket: Callable[[], socket.socket | None]
) -> Iterator[threading.Event]:
    """Within the block, ``current_socket()`` (read when the deadline passes: the connection
    may be made inside the block) is shut down after ``seconds``. Yields the event set then."""
    expired = threading.Event()

    def fire() -> None:
        expired.set()
        sock = current_socket()
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(max(seconds, 0.0), fire)
    timer.daemon = True
    timer.start()
    try:
        yield expired
    finally:
        timer.cancel()
