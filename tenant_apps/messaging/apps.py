from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "tenant_apps.messaging"
    label = "messaging"
    verbose_name = "Messaging (web chat widget)"

    def ready(self) -> None:
        from tenant_apps.messaging import schema  # noqa: F401
