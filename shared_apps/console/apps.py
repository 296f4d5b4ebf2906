from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The operator console and support dashboard pages on the platform host (`/console/`)."""

    name = "shared_apps.console"
    label = "console"
    verbose_name = "Operator console"
