from django.urls import path

from comptoir.mail import unmatched_views

app_name = "unmatched"
urlpatterns = [
    path("unmatched-mail/", unmatched_views.unmatched_list, name="list"),
    path("unmatched-mail/<int:pk>/", unmatched_views.unmatched_detail, name="detail"),
    path("unmatched-mail/<int:pk>/action/", unmatched_views.unmatched_action, name="action"),
]
