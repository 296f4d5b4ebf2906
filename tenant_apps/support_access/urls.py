from django.urls import path

from tenant_apps.support_access.api import SupportAccessApi

urlpatterns = [path("", SupportAccessApi.as_view(), name="support-access")]
