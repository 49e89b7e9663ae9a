"""The personal-data pages: exports (every employee), erasure and retention (administrators)."""

from django.urls import path

from comptoir.privacy import views

app_name = "privacy"
urlpatterns = [
    path("customers/<int:pk>/export/", views.customer_export, name="customer_export"),
    path("customers/<int:pk>/erase/", views.customer_erase, name="customer_erase"),
    path("privacy/", views.privacy_settings, name="settings"),
    path("privacy/export/", views.address_export, name="address_export"),
    path("privacy/erase/", views.address_erase, name="address_erase"),
    path("exports/<int:pk>/", views.export_status, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
