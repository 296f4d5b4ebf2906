from django.apps import AppConfig


class MenuConfig(AppConfig):
    name = "tenant_apps.menu"
    label = "menu"
    verbose_name = "Menu"
