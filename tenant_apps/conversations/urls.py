from django.urls import path

from tenant_apps.conversations import api

urlpatterns = [
    path("", api.ConversationListApi.as_view(), name="conversation-list"),
    path("<int:conversation_id>/", api.ConversationDetailApi.as_view(), name="conversation-detail"),
    path(
        "<int:conversation_id>/take-over/",
        api.ConversationTakeOverApi.as_view(),
        name="conversation-take-over",
    ),
    path(
        "<int:conversation_id>/reply/",
        api.ConversationReplyApi.as_view(),
        name="conversation-reply",
    ),
    path(
        "<int:conversation_id>/hand-back/",
        api.ConversationHandBackApi.as_view(),
        name="conversation-hand-back",
    ),
    path(
        "<int:conversation_id>/close/",
        api.ConversationCloseApi.as_view(),
        name="conversation-close",
    ),
]
