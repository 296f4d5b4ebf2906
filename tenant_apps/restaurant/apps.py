from django.apps import AppConfig


class RestaurantConfig(AppConfig):
    name = "tenant_apps.restaurant"
    label = "restaurant"
    verbose_name = "Restaurant profile and opening hours"
