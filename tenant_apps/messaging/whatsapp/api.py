"""Restaurant API for the WhatsApp channel (`/api/v1/channels/whatsapp/`).

GET/PUT/DELETE /                         the connection (integrations.manage); credentials
                                         are write-only, the GET shows which are stored and
                                         the webhook URL to paste in the provider's console
GET/POST       /templates/               approved templates (GET conversations.reply,
DELETE         /templates/<id>/          POST/DELETE integrations.manage)
POST           /conversations/<id>/template/  send a template (conversations.reply)
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictInputSerializer
from core.views import TenantApiView
from tenant_apps.conversations.selectors import conversation_get
from tenant_apps.conversations.serializers import MessageSerializer
from tenant_apps.messaging.whatsapp import services
from tenant_apps.messaging.whatsapp.credentials import credentials_present
from tenant_apps.messaging.whatsapp.models import WhatsAppChannel, WhatsAppTemplate
from tenant_apps.messaging.whatsapp.selectors import (
    WEBHOOK_PATHS,
    webhook_url,
    whatsapp_channel_get,
    whatsapp_template_get,
    whatsapp_template_list,
)
from tenants.selectors import restaurant_primary_url

TAGS = ["whatsapp"]


def _secret() -> serializers.CharField:
    """A credential: write-only, optional on updates that keep the stored value."""
    return serializers.CharField(write_only=True, required=False, max_length=512)


class _ChannelIn(StrictInputSerializer):
    provider = serializers.ChoiceField(choices=WhatsAppChannel.Provider.values)
    phone_number = serializers.CharField(max_length=32)
    account_sid = _secret()
    auth_token = _secret()
    phone_number_id = _secret()
    app_secret = _secret()
    verify_token = _secret()
    access_token = _secret()


_CHANNEL_OUT = inline_serializer(
    "WhatsAppChannel",
    {
        "configured": serializers.BooleanField(),
        "enabled": serializers.BooleanField(),
        "provider": serializers.CharField(allow_null=True),
        "phone_number": serializers.CharField(allow_null=True),
        "credentials": serializers.DictField(child=serializers.BooleanField()),
        "webhook_urls": serializers.DictField(child=serializers.CharField()),
    },
)


def _channel_json(channel: WhatsAppChannel | None) -> dict[str, Any]:
    base = restaurant_primary_url(connection.tenant)  # type: ignore[attr-defined]
    urls = {p: webhook_url(base_url=base, provider=p) for p in WEBHOOK_PATHS}
    if channel is None:
        return {
            "configured": False,
            "enabled": False,
            "provider": None,
            "phone_number": None,
            "credentials": {},
            "webhook_urls": urls,
        }
    return {
        "configured": True,
        "enabled": channel.enabled,
        "provider": channel.provider,
        "phone_number": channel.phone_number,
        "credentials": credentials_present(provider=channel.provider) if channel.enabled else {},
        "webhook_urls": {channel.provider: urls[channel.provider]},
    }


class WhatsAppChannelApi(TenantApiView):
    required_permissions = {
        "GET": "integrations.manage",
        "PUT": "integrations.manage",
        "DELETE": "integrations.manage",
    }

    @extend_schema(tags=TAGS, responses=_CHANNEL_OUT)
    def get(self, request: Request) -> Response:
        return Response(_channel_json(whatsapp_channel_get()))

    @extend_schema(tags=TAGS, request=_ChannelIn, responses=_CHANNEL_OUT)
    def put(self, request: Request) -> Response:
        data = _ChannelIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        provider = values.pop("provider")
        phone_number = values.pop("phone_number")
        channel = services.whatsapp_channel_configure(
            actor=self.actor, provider=provider, phone_number=phone_number, credentials=values
        )
        return Response(_channel_json(channel))

    @extend_schema(tags=TAGS, request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        self.found(whatsapp_channel_get())
        services.whatsapp_channel_disable(actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _TemplateSerializer(serializers.ModelSerializer[WhatsAppTemplate]):
    class Meta:
        model = WhatsAppTemplate
        fields = ["id", "name", "language", "body", "provider_ref", "created"]
        read_only_fields = ["id", "created"]


class _TemplateIn(StrictInputSerializer):
    name = serializers.SlugField(max_length=64)
    language = serializers.ChoiceField(choices=["es", "en"], default="es")
    body = serializers.CharField(max_length=1024)
    provider_ref = serializers.CharField(max_length=128)


class WhatsAppTemplateListApi(TenantApiView):
    required_permissions = {"GET": "conversations.reply", "POST": "integrations.manage"}

    @extend_schema(tags=TAGS, responses=_TemplateSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(_TemplateSerializer(whatsapp_template_list(), many=True).data)

    @extend_schema(tags=TAGS, request=_TemplateIn, responses={201: _TemplateSerializer})
    def post(self, request: Request) -> Response:
        data = _TemplateIn(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.whatsapp_template_create(actor=self.actor, **data.validated_data)
        return Response(_TemplateSerializer(template).data, status=status.HTTP_201_CREATED)


class WhatsAppTemplateDetailApi(TenantApiView):
    required_permissions = {"DELETE": "integrations.manage"}

    @extend_schema(tags=TAGS, request=None, responses={204: None})
    def delete(self, request: Request, template_id: int) -> Response:
        template = self.found(whatsapp_template_get(template_id=template_id))
        services.whatsapp_template_delete(actor=self.actor, template=template)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _TemplateSendIn(StrictInputSerializer):
    template = serializers.IntegerField()
    variables = serializers.ListField(
        child=serializers.CharField(max_length=200), max_length=10, default=list
    )


class WhatsAppTemplateSendApi(TenantApiView):
    """Send an approved template in a WhatsApp conversation (allowed outside the window)."""

    required_permissions = {"POST": "conversations.reply"}

    @extend_schema(tags=TAGS, request=_TemplateSendIn, responses={201: MessageSerializer})
    def post(self, request: Request, whatsapp_conversation_id: int) -> Response:
        conversation = self.found(conversation_get(conversation_id=whatsapp_conversation_id))
        data = _TemplateSendIn(data=request.data)
        data.is_valid(raise_exception=True)
        template = whatsapp_template_get(template_id=data.validated_data["template"])
        if template is None:
            raise serializers.ValidationError({"template": ["Unknown template."]})
        message = services.whatsapp_template_send(
            actor=self.actor,
            conversation=conversation,
            template=template,
            variables=data.validated_data["variables"],
            staff=request.user,
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
