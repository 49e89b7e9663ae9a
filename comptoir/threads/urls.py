from django.urls import path

from comptoir.threads import views

app_name = "desk"
urlpatterns = [
    path("", views.home, name="home"),
]
