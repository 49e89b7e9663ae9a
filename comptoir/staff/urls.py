from django.urls import path

from comptoir.staff import account_views, views

app_name = "staff"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("login/verify/", account_views.login_verify, name="login_verify"),
    path("account/two-factor/", account_views.two_factor_page, name="two_factor"),
    path("preferences/", views.preferences, name="preferences"),
    path("account/signature/", account_views.signature_page, name="signature"),
    path("account/password/", account_views.password_change, name="password_change"),
    path("password-reset/", account_views.password_reset, name="password_reset"),
    path("password-reset/sent/", account_views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/done/",
        account_views.password_reset_complete,
        name="password_reset_complete",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        account_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
]
