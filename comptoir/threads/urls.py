from django.urls import path

from comptoir.threads import views

app_name = "desk"
urlpatterns = [
    path("", views.home, name="home"),
    path("threads/<int:pk>/", views.thread_detail, name="thread"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
