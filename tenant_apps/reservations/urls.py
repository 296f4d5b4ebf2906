from django.urls import path

from tenant_apps.reservations import api

urlpatterns = [
    path("", api.ReservationListApi.as_view(), name="reservations"),
    path("availability/", api.AvailabilityApi.as_view(), name="reservation-availability"),
    path("settings/", api.SettingsApi.as_view(), name="reservation-settings"),
    path("tables/", api.TableListApi.as_view(), name="tables"),
    path("tables/<int:table_id>/", api.TableDetailApi.as_view(), name="table-detail"),
    path("<int:reservation_id>/", api.ReservationDetailApi.as_view(), name="reservation-detail"),
    path(
        "<int:reservation_id>/status/",
        api.ReservationStatusApi.as_view(),
        name="reservation-status",
    ),
]
