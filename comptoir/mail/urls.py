"""The mailbox settings page; included under /desk/."""

from django.urls import path

from comptoir.mail import views

app_name = "mail"
urlpatterns = [
    path("mailbox/", views.mailbox, name="mailbox"),
    path("mailbox/test/", views.mailbox_test, name="mailbox_test"),
    path("mailbox/sync/", views.mailbox_sync, name="mailbox_sync"),
]
