"""Administrator settings (contacts, order messages, options) and the sent-mail pages."""

from django.urls import path

from comptoir.desk_settings import saved_reply_views, sent_mail_views, views

app_name = "desk_settings"
urlpatterns = [
    path("contacts/", views.contact_list, name="contacts"),
    path("contacts/add/", views.contact_add, name="contact_add"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("contacts/<int:pk>/move/", views.contact_move, name="contact_move"),
    path("order-messages/", views.order_message_list, name="order_messages"),
    path("order-messages/add/", views.order_message_add, name="order_message_add"),
    path(
        "order-messages/<int:pk>/edit/",
        views.order_message_edit,
        name="order_message_edit",
    ),
    path(
        "order-messages/<int:pk>/delete/",
        views.order_message_delete,
        name="order_message_delete",
    ),
    path("options/", views.options, name="options"),
    path("saved-replies/", saved_reply_views.saved_reply_list, name="saved_replies"),
    path("saved-replies/add/", saved_reply_views.saved_reply_add, name="saved_reply_add"),
    path(
        "saved-replies/<int:pk>/edit/", saved_reply_views.saved_reply_edit, name="saved_reply_edit"
    ),
    path(
        "saved-replies/<int:pk>/delete/",
        saved_reply_views.saved_reply_delete,
        name="saved_reply_delete",
    ),
    path("sent-mail/", sent_mail_views.sent_mail_list, name="sent_mail"),
    path("sent-mail/<int:pk>/", sent_mail_views.sent_mail_detail, name="sent_mail_detail"),
]
