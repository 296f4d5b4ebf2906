from django.urls import path

from tenant_apps.audit import api

urlpatterns = [
    path("", api.AuditListApi.as_view(), name="audit"),
]
