"""``comptoir worker``: the background worker until stopped (``--once``: one round)."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.management.base import BaseCommand, CommandParser

from comptoir.ops.worker import Worker


class Command(BaseCommand):
    help = (
        "The background worker: fetches mail, imports it, delivers the outbox and the webhooks; "
        "SIGINT or SIGTERM stops it after the current step."
    )
    # Only the security checks (the data files private, ``ops/checks.py``) at start: the others
    # (models, URLs, templates) were about 1.5 s of CPU of a start's 5, run at every deploy with
    # ``migrate`` and ``check`` anyway, and a worker restarted after a crash must be back at work
    # quickly (issue 20: on a loaded machine a start took longer than the kill interval).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one round, then stop")

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        self.check(tags=[checks.Tags.security])
        worker = Worker()
        if once:
            worker.run_once()
        else:
            worker.run()
