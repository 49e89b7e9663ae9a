from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "comptoir.staff"
    label = "staff"
    verbose_name = "Staff"
