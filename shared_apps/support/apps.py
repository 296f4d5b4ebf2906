from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "shared_apps.support"
    label = "support"
    verbose_name = "Support: cross-restaurant search and access to restaurants"
