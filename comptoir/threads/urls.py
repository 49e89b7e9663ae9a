from django.urls import path

from comptoir.threads import snooze_views, views

app_name = "desk"
urlpatterns = [
    path("", views.home, name="home"),
    path("live/", views.live, name="live"),
    path("threads/bulk/", views.bulk, name="bulk"),
    path("threads/rows/", views.list_rows, name="list_rows"),
    path("filters/saved/", views.saved_filter_save, name="saved_filter_save"),
    path("filters/saved/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("threads/presence/", views.threads_presence, name="threads_presence"),
    path("threads/<int:pk>/", views.thread_detail, name="thread"),
    path("threads/<int:pk>/presence/", views.thread_presence, name="thread_presence"),
    path("threads/<int:pk>/draft/", views.thread_draft, name="thread_draft"),
    path("threads/<int:pk>/status/", views.thread_status, name="thread_status"),
    path("threads/<int:pk>/reply/", views.thread_reply, name="thread_reply"),
    path("threads/<int:pk>/reply/insert/", views.thread_reply_insert, name="thread_reply_insert"),
    path("threads/<int:pk>/note/", views.thread_note, name="thread_note"),
    path("threads/<int:pk>/forward/", views.thread_forward, name="thread_forward"),
    path("threads/<int:pk>/assign/", views.thread_assign, name="thread_assign"),
    path("threads/<int:pk>/merge/", views.thread_merge, name="thread_merge"),
    path("threads/<int:pk>/link/", views.thread_link_renew, name="thread_link_renew"),
    path("threads/<int:pk>/language/", views.thread_language, name="thread_language"),
    path("threads/<int:pk>/contact/", views.thread_contact, name="thread_contact"),
    path("filters/clear/", views.list_filters_clear, name="list_filters_clear"),
    path("threads/<int:pk>/next/", views.thread_next, name="thread_next"),
    path("threads/<int:pk>/emails/<int:email_pk>/retry/", views.email_retry, name="email_retry"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("threads/<int:pk>/snooze/", snooze_views.thread_snooze_view, name="thread_snooze"),
    path("threads/<int:pk>/unsnooze/", snooze_views.thread_unsnooze_view, name="thread_unsnooze"),
]
