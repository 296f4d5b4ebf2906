from django.apps import AppConfig


class ReservationsConfig(AppConfig):
    name = "tenant_apps.reservations"
    label = "reservations"
    verbose_name = "Reservations"
