"""Sending through Twilio's Messages API and Meta's WhatsApp Cloud API (Graph).

The bases come from settings (DYSA_TWILIO_API_BASE, DYSA_META_GRAPH_BASE) so tests talk to
local servers. Every outcome is one of three kinds, which decide what the caller does:
accepted (the provider's message id), retry (429, 5xx, the connection never made: nothing
was sent) or failed (the provider refused the message for good). A timeout while waiting for
the answer is `unknown`: the provider may have the message, so it is not blindly resent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import httpx
from django.conf import settings

CONNECT_TIMEOUT: Final = 3.0
READ_TIMEOUT: Final = 10.0


@dataclass(frozen=True)
class Outgoing:
    to: str  # the provider's address of the customer (Twilio: +E164; Meta: wa_id)
    sender: str  # the restaurant's WhatsApp number, E.164
    text: str
    reference: str  # ours, echoed in status callbacks: reconciles an attempt whose answer was lost
    status_callback: str = ""  # Twilio only
    template_ref: str = ""
    template_language: str = ""
    template_variables: tuple[str, ...] = ()


@dataclass(frozen=True)
class SendOutcome:
    kind: str  # "accepted" | "retry" | "failed" | "unknown"
    provider_message_id: str = ""
    error: str = ""
    retry_after: float | None = None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.replace(".", "", 1).isdigit() else None


@lru_cache(maxsize=1)
def _http() -> httpx.Client:
    """One client per process (thread-safe): building one loads the CA bundle (tens of ms),
    and it keeps connections to the provider open between sends. Made on first use, so a
    forking worker's children each make their own."""
    return httpx.Client(timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT))


def _post(url: str, **kwargs: Any) -> httpx.Response | SendOutcome:
    try:
        return _http().post(url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        return SendOutcome("retry", error=f"provider unreachable: {type(exc).__name__}")
    except httpx.TimeoutException:
        return SendOutcome("unknown", error="no answer from the provider in time")
    except httpx.HTTPError as exc:
        # The request may have reached the provider (connection reset mid-answer).
        return SendOutcome("unknown", error=f"connection lost: {type(exc).__name__}")


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        inner = body.get("error")
        message = inner.get("message") if isinstance(inner, dict) else body.get("message")
        if message:
            return f"HTTP {response.status_code}: {str(message)[:200]}"
    return f"HTTP {response.status_code}"


def _classify(response: httpx.Response, message_id: str) -> SendOutcome:
    if response.status_code == 429 or response.status_code >= 500:
        return SendOutcome("retry", error=_error_text(response), retry_after=_retry_after(response))
    if response.status_code >= 400 or not message_id:
        return SendOutcome("failed", error=_error_text(response))
    return SendOutcome("accepted", provider_message_id=message_id)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def twilio_send(*, account_sid: str, auth_token: str, outgoing: Outgoing) -> SendOutcome:
    base = settings.DYSA_TWILIO_API_BASE.rstrip("/")
    form = {"From": f"whatsapp:{outgoing.sender}", "To": f"whatsapp:{outgoing.to}"}
    if outgoing.template_ref:
        form["ContentSid"] = outgoing.template_ref
        variables = {str(i): v for i, v in enumerate(outgoing.template_variables, start=1)}
        form["ContentVariables"] = json.dumps(variables)
    else:
        form["Body"] = outgoing.text
    if outgoing.status_callback:
        form["StatusCallback"] = outgoing.status_callback
    answer = _post(
        f"{base}/2010-04-01/Accounts/{account_sid}/Messages.json",
        data=form,
        auth=(account_sid, auth_token),
    )
    if isinstance(answer, SendOutcome):
        return answer
    return _classify(answer, str(_json(answer).get("sid", "")))


def meta_send(*, phone_number_id: str, access_token: str, outgoing: Outgoing) -> SendOutcome:
    base = settings.DYSA_META_GRAPH_BASE.rstrip("/")
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": outgoing.to.lstrip("+"),
        "biz_opaque_callback_data": outgoing.reference,
    }
    if outgoing.template_ref:
        body["type"] = "template"
        body["template"] = {
            "name": outgoing.template_ref,
            "language": {"code": outgoing.template_language},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": v} for v in outgoing.template_variables
                    ],
                }
            ],
        }
    else:
        body["type"] = "text"
        body["text"] = {"body": outgoing.text, "preview_url": False}
    answer = _post(
        f"{base}/{phone_number_id}/messages",
        json=body,
        headers={"Authorization": f"Bearer {access_token}"},
    )
    if isinstance(answer, SendOutcome):
        return answer
    messages = _json(answer).get("messages")
    first = messages[0] if isinstance(messages, list) and messages else {}
    return _classify(answer, str(first.get("id", "")) if isinstance(first, dict) else "")
