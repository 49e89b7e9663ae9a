"""``manage.py search_rebuild``: every thread's search document again, in batches, with a
progress bar on stderr (after a restore, or if the index is suspected)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from comptoir.threads.search_index import search_rebuild


class Command(BaseCommand):
    help = "Rebuild the search index of every thread."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="Threads per transaction.")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stderr.ending = ""  # the bar redraws its line
        progress = None if options["quiet"] else self.stderr
        count = search_rebuild(batch=max(1, options["batch"]), progress=progress)
        self.stdout.write(f"{count} threads indexed.")
