"""URLs of the platform host (DYSA_BASE_DOMAIN): landing, operator console, platform API."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("shared_apps.landing.urls")),
    path("health/", include("shared_apps.health.urls")),
    path("account/", include("shared_apps.accounts.urls")),
    path("console/", include("shared_apps.console.urls")),
    path("admin/", admin.site.urls),
    path("api/platform/v1/", include("config.api_platform_v1")),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(
            urlconf="config.urls_public",
            custom_settings={
                "TITLE": "dysa platform API",
            },
        ),
        name="schema",
    ),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]
