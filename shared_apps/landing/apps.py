from django.apps import AppConfig


class LandingConfig(AppConfig):
    name = "shared_apps.landing"
    label = "landing"
    verbose_name = "Platform landing"
