"""Hooks for the channels above this app (WhatsApp) to deliver what conversations record.

Conversations sit below the channels, so they cannot import them: a channel registers here
how it refuses a free-form reply (WhatsApp's 24-hour window) and how it delivers recorded
outbound messages (queue a send after commit). The web chat registers nothing: its visitors
poll.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tenant_apps.conversations.models import Conversation, Message


@dataclass(frozen=True)
class ChannelDelivery:
    # Why a free-form message cannot go out now (None: it can).
    refusal: Callable[[Conversation], str | None]
    # Called inside the transaction that recorded the messages; schedules their delivery.
    deliver: Callable[[Conversation, Sequence[Message]], None]


_REGISTRY: dict[str, ChannelDelivery] = {}


def channel_delivery_register(*, channel: str, delivery: ChannelDelivery) -> None:
    _REGISTRY[channel] = delivery


def channel_delivery_for(channel: str) -> ChannelDelivery | None:
    return _REGISTRY.get(channel)
