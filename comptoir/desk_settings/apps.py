from django.apps import AppConfig


class DeskSettingsConfig(AppConfig):
    name = "comptoir.desk_settings"
    label = "desk_settings"
    verbose_name = "Desk settings"
