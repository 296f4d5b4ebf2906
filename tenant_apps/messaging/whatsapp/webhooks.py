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

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.api_errors import problem_response
from tenant_apps.messaging.whatsapp.credentials import credential_get
from tenant_apps.messaging.whatsapp.inbound import webhook_accept
from tenant_apps.messaging.whatsapp.models import WhatsAppChannel
from tenant_apps.messaging.whatsapp.payloads import MalformedPayloadError, meta_items, twilio_items
from tenant_apps.messaging.whatsapp.selectors import whatsapp_channel_active
from tenant_apps.messaging.whatsapp.signatures import (
    meta_signature_valid,
    public_url,
    twilio_signature_valid,
)

security = logging.getLogger("security")
logger = logging.getLogger(__name__)
SUSPENDED_RETRY_AFTER = 3600
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _refusal(request: HttpRequest, provider: str) -> HttpResponse | None:
    """The answer when this request is not for a live channel of `provider`, else None."""
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
    channel = whatsapp_channel_active()
    if channel is None or channel.provider != provider:
        return problem_response(404, f"WhatsApp via {provider} is not configured here.")
    return None


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
    refused = _refusal(request, WhatsAppChannel.Provider.TWILIO)
    if refused is not None:
        return refused
    signature = request.headers.get("X-Twilio-Signature", "")
    params = [(key, value) for key, values in request.POST.lists() for value in values]
    valid = twilio_signature_valid(
        auth_token=credential_get("auth_token", provider="twilio"),
        url=public_url(request),
        params=params,
        signature=signature,
    )
    if not valid:
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
    refused = _refusal(request, WhatsAppChannel.Provider.META)
    if refused is not None:
        return refused
    if request.method == "GET":
        return _meta_handshake(request)
    signature = request.headers.get("X-Hub-Signature-256", "")
    body = request.body
    if not meta_signature_valid(
        app_secret=credential_get("app_secret", provider="meta"), body=body, header=signature
    ):
        return _bad_signature(request, "meta", "missing" if not signature else "mismatch")
    try:
        inbound, statuses = meta_items(
            body, phone_number_id=credential_get("phone_number_id", provider="meta")
        )
    except MalformedPayloadError as exc:
        return problem_response(400, f"Malformed Meta webhook: {exc}.")
    webhook_accept(inbound=inbound, statuses=statuses)
    return HttpResponse(status=200)


def _meta_handshake(request: HttpRequest) -> HttpResponse:
    """Meta's subscription check: echo hub.challenge when hub.verify_token matches."""
    expected = credential_get("verify_token", provider="meta")
    given = request.GET.get("hub.verify_token", "")
    if (
        request.GET.get("hub.mode") != "subscribe"
        or not expected
        or not hmac.compare_digest(given.encode(), expected.encode())
    ):
        security.warning("whatsapp webhook verification refused", extra={"provider": "meta"})
        return HttpResponse("verification refused", status=403, content_type="text/plain")
    return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
