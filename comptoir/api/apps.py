from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "comptoir.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from comptoir.api.webhooks import listened_topics
        from comptoir.threads import publish

        publish.listened_topics_source(listened_topics)
