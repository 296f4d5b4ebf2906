"""The platform REST API (`/api/platform/v1/` on the platform host): one line per app."""

from django.urls import include, path

from shared_apps.landing.api import PlatformInfoApi

urlpatterns = [
    path("auth/", include("tenants.auth_api")),
    path("tenants/", include("tenants.api")),
    path("support/", include("shared_apps.support.api")),
    path("", include("shared_apps.billing.platform_api")),
    path("", PlatformInfoApi.as_view(), name="platform-info"),
]
