"""Provider webhooks on restaurant hosts: `/webhooks/whatsapp/twilio/` and `.../meta/`.

Order of checks: the restaurant (suspended: acknowledged and dropped), the channel (not
configured for this provider: 404), the signature (wrong or missing: 403, a `security` log
line, nothing stored), the body (malformed: 400); then the messages are stored and the
answer is 200 at once, processing happening in Celery.

A suspended restaurant processes and stores nothing, and answers what each provider's retry
rules make right. Meta retries a failed delivery with decreasing frequency for up to 7 days:
503 with Retry-After, so messages sent during a short suspension arrive once the restaurant
is reactivated (deduplicated like any redelivery). Twilio does not retry a messaging webhook
(a 5xx only logs error 11200 and calls the number's fallback URL): 200 with empty TwiML, the
message is dropped and the drop logged.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.api_errors import problem_response
from tenant_apps.messaging.whatsapp.channel_config import ChannelConfig, channel_config
from tenant_apps.messaging.whatsapp.inbound import webhook_accept
from tenant_apps.messaging.whatsapp.models import WhatsAppChannel
from tenant_apps.messaging.whatsapp.payloads import MalformedPayloadError, meta_items, twilio_items
from tenant_apps.messaging.whatsapp.signatures import (
    meta_signature_valid,
    public_url,
    twilio_signature_valid,
)

security = logging.getLogger("security")
logger = logging.getLogger(__name__)
SUSPENDED_RETRY_AFTER = 3600
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _live_channel(request: HttpRequest, provider: str) -> ChannelConfig | HttpResponse:
    """The restaurant's channel when this request is for a live channel of `provider`, else
    the answer to give."""
    tenant = request.tenant  # type: ignore[attr-defined]
    if tenant.is_suspended:
        logger.warning(
            "whatsapp webhook not processed: restaurant suspended", extra={"provider": provider}
        )
        if provider == WhatsAppChannel.Provider.TWILIO:
            return HttpResponse(EMPTY_TWIML, content_type="text/xml")
        response = problem_response(503, "This restaurant is temporarily unavailable.")
        response["Retry-After"] = str(SUSPENDED_RETRY_AFTER)
        return response
    channel = channel_config()
    if channel is None or channel.provider != provider:
        return problem_response(404, f"WhatsApp via {provider} is not configured here.")
    return channel


def _signed(channel: ChannelConfig, secret: str, valid: Callable[[str], bool]) -> bool:
    """Whether the request is signed with the channel's `secret`. A process keeps the secret
    (channel_config); when it does not match, the stored one is read before refusing, in
    case it changed without the channel services (the `secrets` command)."""
    kept = channel.credentials[secret]
    if kept and valid(kept):
        return True
    stored = channel_config(fresh=True)
    if stored is None or stored.provider != channel.provider:
        return False
    current = stored.credentials[secret]
    return bool(current) and current != kept and valid(current)


def _bad_signature(request: HttpRequest, provider: str, why: str) -> HttpResponse:
    security.warning(
        "whatsapp webhook signature rejected",
        extra={
            "provider": provider,
            "reason": why,
            "host": request.get_host(),
            "remote_addr": request.META.get("REMOTE_ADDR", ""),
        },
    )
    return problem_response(403, "The webhook signature is missing or wrong.")


@csrf_exempt
@require_http_methods(["POST"])
def twilio_webhook(request: HttpRequest) -> HttpResponse:
    channel = _live_channel(request, WhatsAppChannel.Provider.TWILIO)
    if isinstance(channel, HttpResponse):
        return channel
    signature = request.headers.get("X-Twilio-Signature", "")
    params = [(key, value) for key, values in request.POST.lists() for value in values]
    url = public_url(request)

    def valid(auth_token: str) -> bool:
        return twilio_signature_valid(
            auth_token=auth_token, url=url, params=params, signature=signature
        )

    if not _signed(channel, "auth_token", valid):
        return _bad_signature(request, "twilio", "missing" if not signature else "mismatch")
    try:
        inbound, statuses = twilio_items(dict(params), reference=f"dysa:{request.GET.get('m', '')}")
    except MalformedPayloadError as exc:
        return problem_response(400, f"Malformed Twilio webhook: {exc}.")
    webhook_accept(inbound=inbound, statuses=statuses)
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest) -> HttpResponse:
    channel = _live_channel(request, WhatsAppChannel.Provider.META)
    if isinstance(channel, HttpResponse):
        return channel
    if request.method == "GET":
        return _meta_handshake(request, channel)
    signature = request.headers.get("X-Hub-Signature-256", "")
    body = request.body

    def valid(app_secret: str) -> bool:
        return meta_signature_valid(app_secret=app_secret, body=body, header=signature)

    if not _signed(channel, "app_secret", valid):
        return _bad_signature(request, "meta", "missing" if not signature else "mismatch")
    try:
        inbound, statuses = meta_items(body, phone_number_id=channel.credentials["phone_number_id"])
    except MalformedPayloadError as exc:
        return problem_response(400, f"Malformed Meta webhook: {exc}.")
    webhook_accept(inbound=inbound, statuses=statuses)
    return HttpResponse(status=200)


def _meta_handshake(request: HttpRequest, channel: ChannelConfig) -> HttpResponse:
    """Meta's subscription check: echo hub.challenge when hub.verify_token matches."""
    given = request.GET.get("hub.verify_token", "")

    def valid(expected: str) -> bool:
        return hmac.compare_digest(given.encode(), expected.encode())

    if request.GET.get("hub.mode") != "subscribe" or not _signed(channel, "verify_token", valid):
        security.warning("whatsapp webhook verification refused", extra={"provider": "meta"})
        return HttpResponse("verification refused", status=403, content_type="text/plain")
    return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
