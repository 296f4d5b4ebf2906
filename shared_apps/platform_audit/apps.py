from django.apps import AppConfig


class PlatformAuditConfig(AppConfig):
    name = "shared_apps.platform_audit"
    label = "platform_audit"
    verbose_name = "Platform audit log"
