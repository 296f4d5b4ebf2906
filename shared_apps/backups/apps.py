from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "shared_apps.backups"
    label = "backups"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Backups"
