from django.urls import path

from tenant_apps.restaurant import api

urlpatterns = [
    path("profile/", api.ProfileApi.as_view(), name="restaurant-profile"),
    path("hours/", api.HoursApi.as_view(), name="restaurant-hours"),
    path("closed-dates/", api.ClosedDateListApi.as_view(), name="restaurant-closed-dates"),
    path(
        "closed-dates/<int:closed_date_id>/",
        api.ClosedDateDetailApi.as_view(),
        name="restaurant-closed-date-detail",
    ),
]
