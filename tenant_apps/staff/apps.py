from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "tenant_apps.staff"
    label = "staff"
    verbose_name = "Staff, roles and permissions"

    def ready(self) -> None:
        # Registers the OpenAPI security schemes of the API's authenticators.
        from tenant_apps.staff import schema  # noqa: F401
