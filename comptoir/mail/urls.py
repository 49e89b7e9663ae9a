"""The mailboxes pages; included under /desk/."""

from django.urls import path

from comptoir.mail import views

app_name = "mail"
urlpatterns = [
    path("mailbox/", views.mailboxes, name="mailbox"),
    path("mailbox/new/", views.mailbox_new, name="mailbox_new"),
    path("mailbox/<int:pk>/", views.mailbox_edit, name="mailbox_edit"),
    path("mailbox/<int:pk>/delete/", views.mailbox_delete, name="mailbox_delete"),
    path("mailbox/<int:pk>/test/", views.mailbox_test, name="mailbox_test"),
    path("mailbox/<int:pk>/sync/", views.mailbox_sync, name="mailbox_sync"),
    path("mailbox/<int:pk>/oauth/", views.oauth_connect, name="oauth_connect"),
    path("mailbox/oauth/callback/", views.oauth_callback, name="oauth_callback"),
]
