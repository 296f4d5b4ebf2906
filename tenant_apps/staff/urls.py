from django.urls import path

from tenant_apps.staff import api

urlpatterns = [
    path("", api.StaffListApi.as_view(), name="staff"),
    path("<int:user_id>/", api.StaffDetailApi.as_view(), name="staff-detail"),
    path("<int:user_id>/password/", api.StaffPasswordApi.as_view(), name="staff-password"),
    path("roles/", api.RoleListApi.as_view(), name="roles"),
    path("roles/<str:code>/", api.RoleDetailApi.as_view(), name="role-detail"),
    path("permissions/", api.PermissionCatalogueApi.as_view(), name="permissions"),
    path("api-keys/", api.ApiKeyListApi.as_view(), name="api-keys"),
    path("api-keys/<int:key_id>/", api.ApiKeyDetailApi.as_view(), name="api-key-detail"),
]
