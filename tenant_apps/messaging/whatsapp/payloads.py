"""What the providers' webhooks carry, read into two shapes: inbound messages and statuses.

A body that is not what the provider sends raises `MalformedPayloadError` (the webhook answers
400); parts we do not handle (other Meta fields, unknown statuses) are skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

REFERENCE_PREFIX: Final = "dysa:"

# Provider status -> conversations.Message.Delivery value.
TWILIO_STATUSES: Final = {
    "accepted": "pending",
    "scheduled": "pending",
    "queued": "pending",
    "sending": "pending",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}
META_STATUSES: Final = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
}


class MalformedPayloadError(ValueError):
    pass


@dataclass(frozen=True)
class InboundItem:
    provider_message_id: str
    sender: str  # the provider's address of the customer: Twilio "+E164", Meta wa_id digits
    kind: str  # "text", or the provider's type for anything else (image, audio, ...)
    text: str = ""
    profile_name: str = ""


@dataclass(frozen=True)
class StatusItem:
    provider_message_id: str
    status: str  # a Message.Delivery value
    message_id: int | None = None  # ours, when the provider echoed our reference
    error: str = ""


def reference_for(message_id: int) -> str:
    return f"{REFERENCE_PREFIX}{message_id}"


def _message_id(reference: str) -> int | None:
    value = reference.removeprefix(REFERENCE_PREFIX)
    return int(value) if reference.startswith(REFERENCE_PREFIX) and value.isdigit() else None


def _address(value: str) -> str:
    return value.removeprefix("whatsapp:").strip()


def twilio_items(
    form: dict[str, str], *, reference: str = ""
) -> tuple[list[InboundItem], list[StatusItem]]:
    """One form post: a status callback (MessageStatus) or an inbound message."""
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
    if not sid:
        raise MalformedPayloadError("MessageSid is missing")
    status = form.get("MessageStatus", "").lower()
    if status and status != "received":
        if status not in TWILIO_STATUSES:
            return [], []
        error = form.get("ErrorCode", "")
        item = StatusItem(
            provider_message_id=sid,
            status=TWILIO_STATUSES[status],
            message_id=_message_id(reference),
            error=f"Twilio error {error}" if error else "",
        )
        return [], [item]
    sender = _address(form.get("From", ""))
    if not sender:
        raise MalformedPayloadError("From is missing")
    media = form.get("NumMedia", "0")
    kind = "media" if media.isdigit() and int(media) > 0 else "text"
    body = form.get("Body", "")
    if kind == "text" and not body.strip():
        kind = "empty"
    return [
        InboundItem(
            provider_message_id=sid,
            sender=sender,
            kind=kind,
            text=body,
            profile_name=form.get("ProfileName", "")[:120],
        )
    ], []


def _dicts(value: Any, where: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise MalformedPayloadError(f"{where} must be a list of objects")
    return value


def _meta_message(raw: dict[str, Any], names: dict[str, str]) -> InboundItem:
    message_id, sender = str(raw.get("id") or ""), str(raw.get("from") or "")
    if not message_id or not sender:
        raise MalformedPayloadError("a message needs an id and a sender")
    kind = str(raw.get("type") or "unknown")
    text = ""
    if kind == "text":
        body = raw.get("text")
        text = str(body.get("body") or "") if isinstance(body, dict) else ""
        if not text.strip():
            kind = "empty"
    return InboundItem(message_id, sender, kind, text, names.get(sender, "")[:120])


def _meta_status(raw: dict[str, Any]) -> StatusItem | None:
    provider_id, status = str(raw.get("id") or ""), str(raw.get("status") or "")
    if not provider_id:
        raise MalformedPayloadError("a status needs an id")
    if status not in META_STATUSES:
        return None
    errors = _dicts(raw.get("errors"), "errors")
    error = str(errors[0].get("title") or errors[0].get("code") or "") if errors else ""
    return StatusItem(
        provider_message_id=provider_id,
        status=META_STATUSES[status],
        message_id=_message_id(str(raw.get("biz_opaque_callback_data") or "")),
        error=error[:300],
    )


def meta_items(body: bytes, *, phone_number_id: str) -> tuple[list[InboundItem], list[StatusItem]]:
    """Every message and status in `entry[].changes[].value` for this phone number id."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedPayloadError("the body is not JSON") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise MalformedPayloadError("entry is missing")
    inbound: list[InboundItem] = []
    statuses: list[StatusItem] = []
    for entry in _dicts(payload["entry"], "entry"):
        for change in _dicts(entry.get("changes"), "changes"):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            metadata = value.get("metadata")
            if not isinstance(metadata, dict) or (
                str(metadata.get("phone_number_id") or "") != phone_number_id
            ):
                continue  # another number of the same business account: not this restaurant's
            names = {
                str(c.get("wa_id") or ""): str((c.get("profile") or {}).get("name") or "")
                for c in _dicts(value.get("contacts"), "contacts")
            }
            inbound += [_meta_message(m, names) for m in _dicts(value.get("messages"), "messages")]
            for raw in _dicts(value.get("statuses"), "statuses"):
                status = _meta_status(raw)
                if status is not None:
                    statuses.append(status)
    return inbound, statuses
