"""The back office's API pages (administrators): keys, webhooks and their deliveries."""

from django.urls import path

from comptoir.api import views

app_name = "api_admin"
urlpatterns = [
    path("api-keys/", views.api_keys, name="keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke, name="key_revoke"),
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/add/", views.webhook_add, name="webhook_add"),
    path("webhooks/<int:pk>/", views.webhook_edit, name="webhook"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("webhooks/<int:pk>/secret/", views.webhook_rotate, name="webhook_rotate"),
    path("webhooks/<int:pk>/ping/", views.webhook_ping, name="webhook_ping"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/retry/",
        views.delivery_retry,
        name="delivery_retry",
    ),
]
