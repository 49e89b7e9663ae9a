from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "comptoir.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from comptoir.ops import checks  # noqa: F401 — registers the system checks
