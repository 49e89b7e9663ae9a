from django.urls import path

from comptoir.orders import views

app_name = "orders"
urlpatterns = [
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("customers/<int:pk>/", views.customer_detail, name="customer"),
]
