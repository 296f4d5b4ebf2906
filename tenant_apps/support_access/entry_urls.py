from django.urls import path

from tenant_apps.support_access.views import support_access_enter_view

urlpatterns = [
    path("enter/<str:token>/", support_access_enter_view, name="support-access-enter"),
]
