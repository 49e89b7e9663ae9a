from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "comptoir.shop"
    label = "shop"
    verbose_name = "Shop"
