from django.urls import path

from tenant_apps.menu import api

urlpatterns = [
    path("", api.PublicMenuApi.as_view(), name="menu-public"),
    path("search/", api.MenuSearchApi.as_view(), name="menu-search"),
    path("categories/", api.CategoryListApi.as_view(), name="menu-categories"),
    path(
        "categories/<int:category_id>/",
        api.CategoryDetailApi.as_view(),
        name="menu-category-detail",
    ),
    path("items/", api.MenuItemListApi.as_view(), name="menu-items"),
    path("items/<int:item_id>/", api.MenuItemDetailApi.as_view(), name="menu-item-detail"),
    path(
        "items/<int:item_id>/availability/",
        api.MenuItemAvailabilityApi.as_view(),
        name="menu-item-availability",
    ),
]
