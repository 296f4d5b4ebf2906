"""URLs of a restaurant host (<slug>.DYSA_BASE_DOMAIN or a custom domain)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from tenant_apps.messaging.views import widget_js

urlpatterns = [
    path("", include("tenant_apps.storefront.urls")),
    path("widget.js", widget_js, name="widget-js"),
    path("panel/", include("tenant_apps.panel.urls")),
    path("health/", include("shared_apps.health.urls")),
    path("account/", include("shared_apps.accounts.urls")),
    path("api/v1/", include("config.api_v1")),
    path("support-access/", include("tenant_apps.support_access.entry_urls")),
    path("welcome/", include("shared_apps.landing.welcome_urls")),
    path("webhooks/whatsapp/", include("tenant_apps.messaging.whatsapp.webhook_urls")),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(
            urlconf="config.urls_tenants",
            custom_settings={
                "TITLE": "dysa restaurant API",
            },
        ),
        name="schema",
    ),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]
