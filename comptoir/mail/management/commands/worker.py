from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from comptoir.mail.worker import Worker


class Command(BaseCommand):
    help = "Run the background worker: deliver the outbox (and fetch mail) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one round and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker()
        if options["once"]:
            worker.run_once()
        else:
            worker.run()
