from django.apps import AppConfig


class ContactFormConfig(AppConfig):
    name = "comptoir.contact_form"
    label = "contact_form"
    verbose_name = "Contact form"
