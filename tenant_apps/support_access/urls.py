from django.urls import path

from tenant_apps.support_access.api import SupportAccessApi, SupportAccessWriteApi

urlpatterns = [
    path("", SupportAccessApi.as_view(), name="support-access"),
    path("<int:access_id>/", SupportAccessWriteApi.as_view(), name="support-access-write"),
]
