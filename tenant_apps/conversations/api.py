"""Staff API: list, read, take over, reply, hand back to the assistant, close.

Permissions (tenant_apps/staff/permissions.py): reading needs `conversations.view`; taking
over, handing back and closing need `conversations.handoff`; replying needs
`conversations.reply` (a reply takes the conversation over from the assistant).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import NoInput, page_of
from core.views import TenantApiView
from tenant_apps.conversations import selectors, services
from tenant_apps.conversations.models import Channel, Conversation
from tenant_apps.conversations.serializers import (
    ConversationDetailSerializer,
    ConversationSerializer,
    MessageSerializer,
    ReplySerializer,
)

TAGS = ["conversations"]


def _choice(request: Request, name: str, choices: list[str]) -> str | None:
    value = request.query_params.get(name) or None
    if value is not None and value not in choices:
        raise ValidationError({name: [f"must be one of {', '.join(choices)}"]})
    return value


class ConversationListApi(TenantApiView):
    """`?status=waiting&ordering=last_customer_message_at`: the customers waiting for a
    person, longest-waiting first."""

    required_permissions = {"GET": "conversations.view"}
    cache_resource = "conversations"
    ordering_fields = ["last_message_at", "last_customer_message_at", "created"]
    ordering = ["-last_message_at", "-id"]
    filter_params = ("status", "channel")

    @extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("status", str, enum=Conversation.Status.values),
            OpenApiParameter("channel", str, enum=Channel.values),
            OpenApiParameter(
                "ordering", str, description="last_message_at, last_customer_message_at, created"
            ),
        ],
        responses=page_of(ConversationSerializer),
    )
    def get(self, request: Request) -> Response:
        return Response(
            self.cached_data(
                request,
                lambda: self.paginated(
                    request,
                    selectors.conversation_list(
                        status=_choice(request, "status", Conversation.Status.values),
                        channel=_choice(request, "channel", Channel.values),
                    ),
                    ConversationSerializer,
                ),
            )
        )


class ConversationDetailApi(TenantApiView):
    required_permissions = {"GET": "conversations.view"}
    cache_resource = "conversations"

    @extend_schema(tags=TAGS, responses=ConversationDetailSerializer)
    def get(self, request: Request, conversation_id: int) -> Response:
        def produce() -> Any:
            conversation = self.found(selectors.conversation_get(conversation_id=conversation_id))
            messages = selectors.message_list(conversation=conversation)
            return ConversationDetailSerializer(conversation, context={"messages": messages}).data

        return Response(self.cached_data(request, produce))


class _ConversationActionApi(TenantApiView):
    """A change of who answers the customer, recorded in the audit log."""

    required_permissions = {"POST": "conversations.handoff"}

    def act(self, conversation: Conversation, user: Any) -> None:
        raise NotImplementedError

    @extend_schema(tags=TAGS, request=None, responses=ConversationSerializer)
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.found(selectors.conversation_get(conversation_id=conversation_id))
        NoInput(data=request.data).is_valid(raise_exception=True)
        self.act(conversation, request.user)
        conversation.refresh_from_db()
        return Response(ConversationSerializer(conversation).data)


class ConversationTakeOverApi(_ConversationActionApi):
    def act(self, conversation: Conversation, user: Any) -> None:
        services.conversation_take_over(actor=self.actor, conversation=conversation, staff=user)


class ConversationHandBackApi(_ConversationActionApi):
    def act(self, conversation: Conversation, user: Any) -> None:
        services.conversation_hand_back(actor=self.actor, conversation=conversation)


class ConversationCloseApi(_ConversationActionApi):
    def act(self, conversation: Conversation, user: Any) -> None:
        services.conversation_close(actor=self.actor, conversation=conversation)


class ConversationReplyApi(TenantApiView):
    required_permissions = {"POST": "conversations.reply"}

    @extend_schema(tags=TAGS, request=ReplySerializer, responses={201: MessageSerializer})
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.found(selectors.conversation_get(conversation_id=conversation_id))
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.conversation_reply(
            actor=self.actor,
            conversation=conversation,
            staff=request.user,  # type: ignore[arg-type]
            text=serializer.validated_data["text"],
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
