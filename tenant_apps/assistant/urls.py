from django.urls import path

from tenant_apps.assistant import api

urlpatterns = [
    path("settings/", api.AssistantSettingsApi.as_view(), name="assistant-settings"),
]
