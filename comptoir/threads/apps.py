from django.apps import AppConfig


class ThreadsConfig(AppConfig):
    name = "comptoir.threads"
    label = "threads"
    verbose_name = "Threads"
