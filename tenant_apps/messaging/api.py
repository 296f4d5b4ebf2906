"""Public web chat API on restaurant hosts (no staff login) and its staff settings endpoint.

POST /api/v1/chat/sessions/   {"language"?}        -> {"conversation", "token"}
POST /api/v1/chat/messages/   Bearer <token> {"text"} -> {"message", "replies"}
GET  /api/v1/chat/messages/   Bearer <token> [?after=<id>] -> {"conversation", "status",
                                                              "results"}
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from core.api import StrictInputSerializer
from core.db import current_schema_name
from core.hotpath.throttle import client_ident, request_count
from core.numbers import parse_whole_number
from core.views import TenantApiView
from tenant_apps.conversations.models import Conversation
from tenant_apps.conversations.selectors import conversation_get, message_list
from tenant_apps.conversations.services import MAX_TEXT_LENGTH
from tenant_apps.messaging import services
from tenant_apps.messaging.selectors import origin_allowed, webchat_settings_get
from tenant_apps.messaging.tokens import visitor_token_conversation_id

CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type"


class VisitorTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <visitor token>`; request.auth becomes the Conversation."""

    def authenticate(self, request: Request) -> tuple[None, Conversation] | None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        conversation_id = visitor_token_conversation_id(
            schema_name=current_schema_name(), token=token.strip()
        )
        conversation = (
            conversation_get(conversation_id=conversation_id) if conversation_id else None
        )
        if conversation is None:
            raise AuthenticationFailed("The chat session is invalid or has expired.")
        return None, conversation

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="chat"'


class HasChatSession(BasePermission):
    message = "Start a chat session first (POST /api/v1/chat/sessions/)."

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, Conversation)


class _ChatThrottle(SimpleRateThrottle):
    def get_cache_key(self, request: Request, view: Any) -> str | None:
        ident = (
            f"c{request.auth.pk}"
            if isinstance(request.auth, Conversation)
            else self.get_ident(request)
        )
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ChatSessionThrottle(_ChatThrottle):
    scope = "chat_session"


class ChatMessageThrottle(_ChatThrottle):
    scope = "chat_message"

    def allow_request(self, request: Request, view: Any) -> bool:
        # Polling (GET) has its own, looser budget.
        self.scope = "chat_message" if request.method == "POST" else "chat_poll"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class ChatBudgetThrottle(BaseThrottle):
    """Message budgets above the per-conversation limit: per client IP (a visitor cannot
    dodge the limit by opening conversation after conversation) and per restaurant (all
    visitors together cannot run up its model bill or hold every web worker)."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method != "POST":
            return True
        for scope, ident in (("chat_ip", client_ident(request)), ("chat_restaurant", "all")):
            counted = request_count(request._request, scope=scope, ident=ident)
            if counted is not None and not counted.allowed:
                self._wait = counted.wait()
                return False
        return True

    def wait(self) -> float | None:
        return self._wait


class _PublicChatApi(APIView):
    """CORS limited to the restaurant's hosts and configured origins; widget can be disabled."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        settings = webchat_settings_get()
        origin = request.headers.get("Origin", "")
        if not origin_allowed(origin=origin, request_host=request.get_host(), settings=settings):
            raise PermissionDenied("This website may not use this restaurant's chat.")
        if not settings.enabled:
            raise PermissionDenied("The chat is turned off for this restaurant.")
        request.cors_origin = origin  # type: ignore[attr-defined]
        super().initial(request, *args, **kwargs)

    def options(self, request: Request, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        return Response(status=status.HTTP_204_NO_CONTENT)

    # A CORS preflight carries no token and must not spend the visitor's budget.
    def check_permissions(self, request: Request) -> None:
        if request.method != "OPTIONS":
            super().check_permissions(request)

    def check_throttles(self, request: Request) -> None:
        if request.method != "OPTIONS":
            super().check_throttles(request)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        origin = getattr(request, "cors_origin", "")
        if origin:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Methods"] = CORS_METHODS
            response["Access-Control-Allow-Headers"] = CORS_HEADERS
            response["Access-Control-Max-Age"] = "600"
        response["Vary"] = "Origin"
        return response


def _conversation(request: Request) -> Conversation:
    """The visitor's conversation (HasChatSession has checked it is one)."""
    assert isinstance(request.auth, Conversation)
    return request.auth


def _message_json(message: Any) -> dict[str, Any]:
    return {
        "id": message.pk,
        "sender": message.sender,
        "text": message.text,
        "created": message.created.isoformat(),
    }


class _SessionIn(StrictInputSerializer):
    language = serializers.ChoiceField(choices=Conversation.Language.values, required=False)
    customer_link = serializers.CharField(
        max_length=500,
        required=False,
        help_text="The token of a link the restaurant sent the customer (acts for them).",
    )


class _MessageIn(StrictInputSerializer):
    text = serializers.CharField(
        max_length=MAX_TEXT_LENGTH,
        trim_whitespace=True,
        error_messages={
            "max_length": f"Messages can be at most {MAX_TEXT_LENGTH:,} characters long.",
            "blank": "Write a message first.",
        },
    )


_MESSAGE_OUT = inline_serializer(
    "ChatMessage",
    {
        "id": serializers.IntegerField(),
        "sender": serializers.CharField(),
        "text": serializers.CharField(),
        "created": serializers.DateTimeField(),
    },
)


class ChatSessionApi(_PublicChatApi):
    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes: list[type[BasePermission]] = []
    throttle_classes = [ChatSessionThrottle]

    @extend_schema(
        request=_SessionIn,
        responses={
            201: inline_serializer(
                "ChatSession",
                {
                    "conversation": serializers.IntegerField(),
                    "token": serializers.CharField(),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        data = _SessionIn(data=request.data)
        data.is_valid(raise_exception=True)
        language = data.validated_data.get("language") or request.tenant.locale  # type: ignore[attr-defined]
        session = services.webchat_session_start(
            language=language, customer_link=data.validated_data.get("customer_link", "")
        )
        return Response(
            {"conversation": session.conversation.pk, "token": session.token},
            status=status.HTTP_201_CREATED,
        )


class ChatMessagesApi(_PublicChatApi):
    authentication_classes = [VisitorTokenAuthentication]
    permission_classes = [HasChatSession]
    throttle_classes = [ChatMessageThrottle, ChatBudgetThrottle]

    @extend_schema(
        request=_MessageIn,
        responses={
            201: inline_serializer(
                "ChatTurn",
                {
                    "message": _MESSAGE_OUT,
                    "replies": _MESSAGE_OUT,
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        data = _MessageIn(data=request.data)
        data.is_valid(raise_exception=True)
        turn = services.webchat_message_post(
            conversation=_conversation(request), text=data.validated_data["text"]
        )
        return Response(
            {
                "message": _message_json(turn.message),
                "replies": [_message_json(reply) for reply in turn.replies],
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        parameters=[OpenApiParameter("after", int, description="only messages after this id")],
        responses=inline_serializer(
            "ChatMessages",
            {
                "conversation": serializers.IntegerField(),
                "status": serializers.CharField(),
                "results": _MESSAGE_OUT,
            },
        ),
    )
    def get(self, request: Request) -> Response:
        after = request.query_params.get("after")
        try:
            after_id = None if after is None else parse_whole_number(after)
        except ValueError:
            raise ValidationError({"after": ["must be a message id"]}) from None
        conversation = _conversation(request)
        messages = message_list(conversation=conversation, after_id=after_id)
        return Response(
            {
                "conversation": conversation.pk,
                "status": conversation.status,
                "results": [_message_json(message) for message in messages],
            }
        )


class _SettingsIo(StrictInputSerializer):
    enabled = serializers.BooleanField(required=False)
    allowed_origins = serializers.ListField(
        child=serializers.CharField(max_length=200), max_length=20, required=False
    )
    accent_color = serializers.CharField(max_length=7, required=False)


class ChatSettingsApi(TenantApiView):
    """Staff: turn the widget on/off and list the websites that may embed it.

    Part of the restaurant's public face, so changing it needs `restaurant.manage`.
    """

    required_permissions = {"GET": "conversations.view", "PATCH": "restaurant.manage"}

    def _out(self, settings: Any) -> dict[str, Any]:
        return {
            "enabled": settings.enabled,
            "allowed_origins": settings.allowed_origins,
            "accent_color": settings.accent_color,
        }

    @extend_schema(responses=_SettingsIo)
    def get(self, request: Request) -> Response:
        return Response(self._out(webchat_settings_get()))

    @extend_schema(request=_SettingsIo, responses=_SettingsIo)
    def patch(self, request: Request) -> Response:
        data = _SettingsIo(data=request.data)
        data.is_valid(raise_exception=True)
        settings = services.webchat_settings_update(actor=self.actor, **data.validated_data)
        return Response(self._out(settings))
