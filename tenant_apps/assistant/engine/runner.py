"""Runs one turn of the engine, containing failures: a bug answers politely, writes nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from tenant_apps.assistant.engine import replies
from tenant_apps.assistant.engine.state import Dialog
from tenant_apps.conversations.models import Conversation

logger = logging.getLogger(__name__)


@dataclass
class TurnResult:
    replies: list[str] = field(default_factory=list)
    handoff: bool = False
    customer_id: int | None = None


def run_turn(
    *,
    conversation: Conversation,
    dialog: Dialog,
    text: str,
    context: Any,
    proposal: Any = None,
) -> TurnResult:
    from tenant_apps.assistant.engine.dialog import DialogManager

    snapshot = dialog.to_json()
    try:
        with transaction.atomic():
            manager = DialogManager(
                conversation=conversation, dialog=dialog, context=context, proposal=proposal
            )
            return manager.handle(text)
    except Exception:
        logger.exception("assistant turn failed; answering with the fallback")
        restored = Dialog.from_json(snapshot)
        dialog.__dict__.update(restored.__dict__)
        return TurnResult(replies=[replies.say("trouble", dialog.language)])
