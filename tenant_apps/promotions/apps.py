from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "tenant_apps.promotions"
    label = "promotions"
    verbose_name = "Promotions"
