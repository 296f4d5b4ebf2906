"""Conversations inbox: filter, thread with the customer's context, take over, reply, hand
back, close; live by polling the conversations change stamp. Writes are the API's services,
with the API's permissions and audit actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from core.actors import Actor
from core.api_errors import Conflict
from tenant_apps.conversations import services
from tenant_apps.conversations.models import Channel, Conversation
from tenant_apps.conversations.selectors import conversation_get, conversation_list, message_list
from tenant_apps.customers.selectors import customer_get
from tenant_apps.orders.selectors import order_list
from tenant_apps.panel.access import panel_page, poll_token, poll_unchanged, poll_version, require
from tenant_apps.panel.views.common import fragment, page, waiting_badge_context
from tenant_apps.reservations.selectors import reservation_list

STATUS_LABELS: dict[str, Any] = {
    Conversation.Status.BOT: _("With the assistant"),
    Conversation.Status.WAITING: _("Waiting for a person"),
    Conversation.Status.HUMAN: _("With staff"),
    Conversation.Status.CLOSED: _("Closed"),
}
CHANNEL_LABELS: dict[str, Any] = {Channel.WEB: _("Web chat"), Channel.WHATSAPP: "WhatsApp"}
INBOX_SIZE = 100


def _filters(request: HttpRequest) -> dict[str, str]:
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    return {
        "status": status if status in STATUS_LABELS else "",
        "channel": channel if channel in CHANNEL_LABELS else "",
    }


def _filters_query(filters: dict[str, str]) -> str:
    return urlencode({key: value for key, value in filters.items() if value})


def _inbox_context(request: HttpRequest) -> dict[str, Any]:
    filters = _filters(request)
    conversations = list(
        conversation_list(status=filters["status"] or None, channel=filters["channel"] or None)[
            :INBOX_SIZE
        ]
    )
    now = timezone.now()
    waiting = conversation_list(status=Conversation.Status.WAITING).count()
    return {
        "filters": filters,
        "rows": [
            {
                "conversation": conversation,
                "status_label": STATUS_LABELS.get(conversation.status, conversation.status),
                "channel_label": CHANNEL_LABELS.get(conversation.channel, conversation.channel),
                "waiting_minutes": int(
                    (now - (conversation.last_customer_message_at or now)).total_seconds() // 60
                )
                if conversation.status == Conversation.Status.WAITING
                else None,
            }
            for conversation in conversations
        ],
        "waiting_count": waiting,
        "version": poll_version("conversations"),
        "poll_token": poll_token(request, "conversations"),
        "query": _filters_query(filters),
        "status_labels": STATUS_LABELS,
        "channel_labels": CHANNEL_LABELS,
    }


@require_GET
@panel_page("conversations.view")
def inbox(request: HttpRequest) -> HttpResponse:
    return page(
        request, "panel/conversations/inbox.html", _inbox_context(request), active="conversations"
    )


@require_GET
def inbox_poll(request: HttpRequest) -> HttpResponse:
    if poll_unchanged(request, "conversations"):
        return HttpResponse(status=204)
    return _inbox_list(request)


@panel_page("conversations.view")
def _inbox_list(request: HttpRequest) -> HttpResponse:
    return fragment(request, "panel/conversations/_list.html", _inbox_context(request))


@require_GET
def waiting_poll(request: HttpRequest) -> HttpResponse:
    """The waiting badge, or 204 while no conversation changed (the same cheap poll)."""
    if poll_unchanged(request, "conversations"):
        return HttpResponse(status=204)
    return _waiting_badge(request)


@panel_page("conversations.view")
def _waiting_badge(request: HttpRequest) -> HttpResponse:
    return fragment(request, "panel/_waiting_badge.html", waiting_badge_context(request))


def _conversation_or_404(conversation_id: int) -> Conversation:
    conversation = conversation_get(conversation_id=conversation_id)
    if conversation is None:
        raise Http404("No such conversation in this restaurant.")
    return conversation


def _customer_context(conversation: Conversation) -> dict[str, Any]:
    if conversation.customer_id is None:
        return {"customer": None, "orders": [], "reservations": []}
    customer = customer_get(customer_id=conversation.customer_id)
    if customer is None:
        return {"customer": None, "orders": [], "reservations": []}
    filters = {"customer": str(customer.pk)}
    return {
        "customer": customer,
        "orders": list(order_list(filters=filters).order_by("-created")[:5]),
        "reservations": list(reservation_list(filters=filters).order_by("-starts_at")[:5]),
    }


def _thread_context(
    request: HttpRequest, conversation: Conversation, **extra: Any
) -> dict[str, Any]:
    return {
        "conversation": conversation,
        "status_label": STATUS_LABELS.get(conversation.status, conversation.status),
        "channel_label": CHANNEL_LABELS.get(conversation.channel, conversation.channel),
        "thread_messages": message_list(conversation=conversation),
        "version": poll_version("conversations"),
        "poll_token": poll_token(request, "conversations"),
        **_customer_context(conversation),
        **extra,
    }


@require_GET
@panel_page("conversations.view")
def thread(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation_or_404(conversation_id)
    return page(
        request,
        "panel/conversations/thread.html",
        _thread_context(request, conversation),
        active="conversations",
    )


@require_GET
def thread_poll(request: HttpRequest, conversation_id: int) -> HttpResponse:
    if poll_unchanged(request, "conversations"):
        return HttpResponse(status=204)
    return _thread_fragment(request, conversation_id)


@panel_page("conversations.view")
def _thread_fragment(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation_or_404(conversation_id)
    return fragment(
        request, "panel/conversations/_thread.html", _thread_context(request, conversation)
    )


def _act(
    request: HttpRequest,
    conversation_id: int,
    action: str,
    act: Callable[[Conversation], object],
) -> HttpResponse:
    require(request, "conversations.handoff")
    conversation = _conversation_or_404(conversation_id)
    try:
        act(conversation)  # the service records the audit entry
    except Conflict as error:
        context = _thread_context(request, conversation, action_error=str(error.detail))
        return page(
            request, "panel/conversations/thread.html", context, active="conversations", status=409
        )
    return HttpResponseRedirect(f"/panel/conversations/{conversation.pk}/")


@require_POST
@panel_page("conversations.view")
def take_over(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _act(
        request,
        conversation_id,
        "take_over",
        lambda c: services.conversation_take_over(
            actor=Actor.of(request.user),
            conversation=c,
            staff=request.user,  # type: ignore[arg-type]
        ),
    )


@require_POST
@panel_page("conversations.view")
def hand_back(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _act(
        request,
        conversation_id,
        "hand_back",
        lambda c: services.conversation_hand_back(actor=Actor.of(request.user), conversation=c),
    )


@require_POST
@panel_page("conversations.view")
def close(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _act(
        request,
        conversation_id,
        "close",
        lambda c: services.conversation_close(actor=Actor.of(request.user), conversation=c),
    )


@require_POST
@panel_page("conversations.view")
def reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    require(request, "conversations.reply")
    conversation = _conversation_or_404(conversation_id)
    text = request.POST.get("text", "")
    try:
        services.conversation_reply(
            actor=Actor.of(request.user),
            conversation=conversation,
            staff=request.user,  # type: ignore[arg-type]
            text=text[:2000],
        )
    except (ValidationError, Conflict) as error:
        detail = error.messages if isinstance(error, ValidationError) else [str(error.detail)]
        context = _thread_context(
            request, conversation, reply_error=" ".join(detail), reply_text=text
        )
        return page(
            request, "panel/conversations/thread.html", context, active="conversations", status=400
        )
    if getattr(request, "htmx", False):
        conversation.refresh_from_db()
        return fragment(
            request, "panel/conversations/_thread.html", _thread_context(request, conversation)
        )
    return HttpResponseRedirect(f"/panel/conversations/{conversation.pk}/")
