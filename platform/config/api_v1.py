"""The restaurant REST API (`/api/v1/` on restaurant hosts): one line per app."""

from django.urls import include, path

from tenant_apps.storefront.api import RestaurantInfoApi

urlpatterns = [
    path("auth/", include("config.auth_api")),
    path("restaurant/", RestaurantInfoApi.as_view(), name="restaurant-info"),
    path("conversations/", include("tenant_apps.conversations.urls")),
    path("chat/", include("tenant_apps.messaging.urls")),
    path("menu/", include("tenant_apps.menu.urls")),
]
