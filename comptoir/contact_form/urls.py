from django.urls import path

from comptoir.contact_form import views

app_name = "contact_form"
urlpatterns = [
    path("", views.contact, name="contact"),
    path("sent/", views.sent, name="sent"),
    path("theme.css", views.theme, name="theme"),
    path("t/<str:token>/", views.conversation, name="thread"),
]
