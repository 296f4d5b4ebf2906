"""Staff API: list, read, take over, reply, hand back to the assistant, close."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.conversations import selectors, services
from tenant_apps.conversations.models import Channel, Conversation
from tenant_apps.conversations.permissions import CanHandleConversations, CanReadConversations
from tenant_apps.conversations.serializers import (
    ConversationDetailSerializer,
    ConversationSerializer,
    MessageSerializer,
    ReplySerializer,
)


def _get_or_404(conversation_id: int) -> Conversation:
    conversation = selectors.conversation_get(conversation_id=conversation_id)
    if conversation is None:
        raise Http404
    return conversation


def _choice(request: Request, name: str, choices: list[str]) -> str | None:
    value = request.query_params.get(name) or None
    if value is not None and value not in choices:
        raise ValidationError({name: [f"must be one of {', '.join(choices)}"]})
    return value


class ConversationListApi(generics.GenericAPIView[Conversation]):
    permission_classes = [CanReadConversations]
    serializer_class = ConversationSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Conversation.Status.values),
            OpenApiParameter("channel", str, enum=Channel.values),
        ],
        responses=ConversationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        queryset = selectors.conversation_list(
            status=_choice(request, "status", Conversation.Status.values),
            channel=_choice(request, "channel", Channel.values),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ConversationSerializer(page, many=True).data)


class ConversationDetailApi(APIView):
    permission_classes = [CanReadConversations]

    @extend_schema(responses=ConversationDetailSerializer)
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = _get_or_404(conversation_id)
        messages = selectors.message_list(conversation=conversation)
        data = ConversationDetailSerializer(conversation, context={"messages": messages}).data
        return Response(data)


class _ConversationActionApi(APIView):
    permission_classes = [CanHandleConversations]

    def _respond(self, conversation: Conversation) -> Response:
        conversation.refresh_from_db()
        return Response(ConversationSerializer(conversation).data)


class ConversationTakeOverApi(_ConversationActionApi):
    @extend_schema(request=None, responses=ConversationSerializer)
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = _get_or_404(conversation_id)
        services.conversation_take_over(conversation=conversation, staff=request.user)  # type: ignore[arg-type]
        return self._respond(conversation)


class ConversationHandBackApi(_ConversationActionApi):
    @extend_schema(request=None, responses=ConversationSerializer)
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = _get_or_404(conversation_id)
        services.conversation_hand_back(conversation=conversation)
        return self._respond(conversation)


class ConversationCloseApi(_ConversationActionApi):
    @extend_schema(request=None, responses=ConversationSerializer)
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = _get_or_404(conversation_id)
        services.conversation_close(conversation=conversation)
        return self._respond(conversation)


class ConversationReplyApi(_ConversationActionApi):
    @extend_schema(request=ReplySerializer, responses={201: MessageSerializer})
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = _get_or_404(conversation_id)
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.conversation_reply(
            conversation=conversation,
            staff=request.user,  # type: ignore[arg-type]
            text=serializer.validated_data["text"],
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
