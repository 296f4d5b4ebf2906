from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "shared_apps.billing"
    label = "billing"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Billing"
