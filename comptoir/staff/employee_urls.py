"""The "Employees" pages (administrators only)."""

from django.urls import path

from comptoir.staff import employee_views

app_name = "employees"
urlpatterns = [
    path("employees/", employee_views.employee_list, name="list"),
    path("employees/add/", employee_views.employee_add, name="add"),
    path("employees/<int:pk>/edit/", employee_views.employee_edit, name="edit"),
    path("employees/<int:pk>/signature/", employee_views.employee_signature, name="signature"),
    path("employees/<int:pk>/active/", employee_views.employee_set_active, name="set_active"),
    path(
        "employees/<int:pk>/password-reset/",
        employee_views.employee_password_reset,
        name="password_reset",
    ),
    path("employees/locks/<int:pk>/lift/", employee_views.login_lock_lift, name="lock_lift"),
]
