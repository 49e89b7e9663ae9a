from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _statistics_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from comptoir.lib.planner import planner_statistics_refresh

    planner_statistics_refresh(using)


class ThreadsConfig(AppConfig):
    name = "comptoir.threads"
    label = "threads"
    verbose_name = "Threads"

    def ready(self) -> None:
        # A migration may have rebuilt a table, and SQLite drops its statistics with it.
        post_migrate.connect(_statistics_after_migrate, sender=self)
