"""URLs of the platform host (DYSA_BASE_DOMAIN): landing, operator console, platform API."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from shared_apps.accounts.login_limits import login_view_throttled
from shared_apps.billing.webhooks import stripe_webhook

urlpatterns = [
    path("", include("shared_apps.landing.urls")),
    path("health/", include("shared_apps.health.urls")),
    path("account/", include("shared_apps.accounts.urls")),
    path("console/", include("shared_apps.console.urls")),
    # Before the admin's own URLs: its login has the same limits as every other login.
    path("admin/login/", login_view_throttled(admin.site.login), name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/platform/v1/", include("config.api_platform_v1")),
    path("webhooks/stripe/", stripe_webhook, name="stripe-webhook"),
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
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]
