from django.apps import AppConfig


class PanelConfig(AppConfig):
    name = "tenant_apps.panel"
    label = "panel"
    verbose_name = "Staff web panel"
