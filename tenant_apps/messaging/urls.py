from django.urls import path

from tenant_apps.messaging import api

urlpatterns = [
    path("sessions/", api.ChatSessionApi.as_view(), name="chat-sessions"),
    path("messages/", api.ChatMessagesApi.as_view(), name="chat-messages"),
    path("settings/", api.ChatSettingsApi.as_view(), name="chat-settings"),
]
