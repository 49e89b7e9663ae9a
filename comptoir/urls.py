from django.urls import include, path
from django.views.generic import RedirectView

from comptoir.health import healthz

urlpatterns = [
    path("", RedirectView.as_view(url="/contact/", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("desk/", include("comptoir.staff.urls")),
    path("desk/", include("comptoir.threads.urls")),
    path("contact/", include("comptoir.contact_form.urls")),
]
