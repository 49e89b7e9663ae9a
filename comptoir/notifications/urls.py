from django.urls import path

from comptoir.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/bell/", views.notification_bell, name="bell"),
    path("notifications/read/", views.notifications_read, name="read"),
    path("account/notifications/", views.notification_preferences, name="preferences"),
]
