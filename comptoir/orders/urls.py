from django.urls import path

from comptoir.orders import views as order_views

app_name = "orders"
urlpatterns = [
    path("orders/<int:pk>/", order_views.order_detail, name="order"),
    path("customers/<int:pk>/", order_views.customer_detail, name="customer"),
]
