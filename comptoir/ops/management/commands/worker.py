"""``comptoir worker``: the background worker until stopped (``--once``: one round)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from comptoir.ops.worker import Worker


class Command(BaseCommand):
    help = (
        "The background worker: fetches mail, imports it, delivers the outbox and the webhooks; "
        "SIGINT or SIGTERM stops it after the current step."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one round, then stop")

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        worker = Worker()
        if once:
            worker.run_once()
        else:
            worker.run()
