from django.urls import path

from tenant_apps.messaging.whatsapp import api

urlpatterns = [
    path("", api.WhatsAppChannelApi.as_view(), name="whatsapp-channel"),
    path("templates/", api.WhatsAppTemplateListApi.as_view(), name="whatsapp-templates"),
    path(
        "templates/<int:template_id>/",
        api.WhatsAppTemplateDetailApi.as_view(),
        name="whatsapp-template",
    ),
    path(
        "conversations/<int:whatsapp_conversation_id>/template/",
        api.WhatsAppTemplateSendApi.as_view(),
        name="whatsapp-template-send",
    ),
]
