from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import StrictInputSerializer
from tenant_apps.conversations.models import Conversation, Message
from tenant_apps.conversations.services import MAX_TEXT_LENGTH


class MessageSerializer(serializers.ModelSerializer[Message]):
    class Meta:
        model = Message
        fields = ["id", "direction", "sender", "staff", "text", "delivery_status", "created"]
        read_only_fields = fields


class ConversationSerializer(serializers.ModelSerializer[Conversation]):
    class Meta:
        model = Conversation
        fields = [
            "id",
            "channel",
            "customer_id",
            "language",
            "status",
            "assigned_to",
            "last_customer_message_at",
            "last_message_at",
            "llm_prompt_tokens",
            "llm_completion_tokens",
            "created",
        ]
        read_only_fields = fields


class ConversationDetailSerializer(ConversationSerializer):
    messages = serializers.SerializerMethodField()

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "messages"]
        read_only_fields = fields

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, conversation: Conversation) -> list[dict[str, object]]:
        return MessageSerializer(self.context["messages"], many=True).data  # type: ignore[return-value]


class ReplySerializer(StrictInputSerializer):
    text = serializers.CharField(max_length=MAX_TEXT_LENGTH, trim_whitespace=True)
