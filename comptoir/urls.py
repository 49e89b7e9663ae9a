from django.urls import include, path
from django.views.generic import RedirectView

from comptoir.api.main import api
from comptoir.health import healthz
from comptoir.privacy.api import router as privacy_router

# The personal-data operations sit left of the API in the arrow (they use mail and webhooks),
# so they are added to it here, where any app may be imported.
api.add_router("", privacy_router)

urlpatterns = [
    path("", RedirectView.as_view(url="/contact/", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("desk/", include("comptoir.staff.urls")),
    path("desk/", include("comptoir.threads.urls")),
    path("desk/", include("comptoir.desk_settings.urls")),
    path("desk/", include("comptoir.staff.employee_urls")),
    path("desk/", include("comptoir.orders.urls")),
    path("desk/", include("comptoir.mail.unmatched_urls")),
    path("desk/", include("comptoir.mail.urls")),
    path("desk/", include("comptoir.api.urls")),
    path("desk/", include("comptoir.privacy.urls")),
    path("desk/", include("comptoir.notifications.urls")),
    path("contact/", include("comptoir.contact_form.urls")),
    path("api/v1/", api.urls),
]

handler400 = "comptoir.errors.bad_request"
handler403 = "comptoir.errors.permission_denied"
handler404 = "comptoir.errors.page_not_found"
handler500 = "comptoir.errors.server_error"
