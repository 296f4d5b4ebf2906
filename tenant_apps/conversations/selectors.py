"""Reads of conversations and messages."""

from __future__ import annotations

from django.db.models import QuerySet

from shared_apps.billing.limits import conversation_quota
from tenant_apps.conversations.models import Conversation, Message


def conversation_list(
    *, status: str | None = None, channel: str | None = None, assigned_to_id: int | None = None
) -> QuerySet[Conversation]:
    queryset = Conversation.objects.select_related("assigned_to")
    if status:
        queryset = queryset.filter(status=status)
    if channel:
        queryset = queryset.filter(channel=channel)
    if assigned_to_id is not None:
        queryset = queryset.filter(assigned_to_id=assigned_to_id)
    return queryset.order_by("-last_message_at", "-id")


def conversation_get(*, conversation_id: int) -> Conversation | None:
    return Conversation.objects.select_related("assigned_to").filter(pk=conversation_id).first()


def message_list(
    *, conversation: Conversation, after_id: int | None = None, limit: int = 200
) -> list[Message]:
    """Messages in order; `after_id` gives only newer ones (how the web widget polls)."""
    queryset = Message.objects.filter(conversation=conversation)
    if after_id is not None:
        queryset = queryset.filter(pk__gt=after_id)
        return list(queryset.order_by("id")[:limit])
    # Without a cursor, the latest `limit` messages, oldest first.
    latest = list(queryset.order_by("-id")[:limit])
    return latest[::-1]


def conversation_beyond_quota(*, conversation: Conversation) -> bool:
    """Whether the conversation started after the plan's monthly conversation quota was used
    up (the plan caps conversations rather than billing the extra ones)."""
    quota = conversation_quota()
    if quota is None:
        return False
    started_up_to_it = Conversation.objects.filter(
        created__gte=quota.since, pk__lte=conversation.pk
    ).count()
    return started_up_to_it > quota.allowed


def conversation_quota_reached() -> bool:
    """Whether the plan's monthly assistant conversations are used up (new conversations go
    to staff until the next period): the staff panel's banner."""
    quota = conversation_quota()
    if quota is None:
        return False
    return Conversation.objects.filter(created__gte=quota.since).count() >= quota.allowed
