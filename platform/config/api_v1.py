"""The restaurant REST API (`/api/v1/` on restaurant hosts): one line per app."""

from django.urls import include, path

from tenant_apps.staff.session_api import CsrfApi, SessionApi
from tenant_apps.storefront.api import RestaurantInfoApi

urlpatterns = [
    path("auth/session/", SessionApi.as_view(), name="auth-session"),
    path("auth/csrf/", CsrfApi.as_view(), name="auth-csrf"),
    path("auth/", include("tenants.auth_api")),
    path("restaurant/", RestaurantInfoApi.as_view(), name="restaurant-info"),
    path("conversations/", include("tenant_apps.conversations.urls")),
    path("chat/", include("tenant_apps.messaging.urls")),
    path("assistant/", include("tenant_apps.assistant.urls")),
    path("restaurant/", include("tenant_apps.restaurant.urls")),
    path("menu/", include("tenant_apps.menu.urls")),
    path("customers/", include("tenant_apps.customers.urls")),
    path("orders/", include("tenant_apps.orders.urls")),
    path("reservations/", include("tenant_apps.reservations.urls")),
    path("promotions/", include("tenant_apps.promotions.urls")),
    path("staff/", include("tenant_apps.staff.urls")),
    path("audit/", include("tenant_apps.audit.urls")),
    path("support-access/", include("tenant_apps.support_access.urls")),
    path("channels/whatsapp/", include("tenant_apps.messaging.whatsapp.urls")),
    path("billing/", include("shared_apps.billing.restaurant_api")),
]
