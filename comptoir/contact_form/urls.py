from django.urls import path

from comptoir.contact_form import views

app_name = "contact_form"
urlpatterns = [
    path("t/<str:token>/", views.conversation, name="thread"),
]
