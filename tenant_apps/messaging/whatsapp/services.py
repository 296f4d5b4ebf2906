"""WhatsApp writes: connect and disconnect the channel, templates, and sending on request.

`whatsapp_send_text` is the one call other apps use to send a WhatsApp message (the security
helper's one-time codes): to a conversation (recorded in it, delivered like any reply) or to
a bare phone number (not recorded anywhere, so a code never lands in a conversation log).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.actors import Actor
from core.api_errors import Conflict
from shared_apps.billing.limits import Feature, plan_feature_enforce
from tenant_apps.audit.services import audit_record, snapshot
from tenant_apps.conversations.models import Conversation, Message
from tenant_apps.conversations.services import messages_send
from tenant_apps.customers.phones import normalize_phone
from tenant_apps.messaging.whatsapp.channel_config import channel_config_changed
from tenant_apps.messaging.whatsapp.credentials import (
    FIELDS_BY_PROVIDER,
    credentials_erase,
    credentials_present,
    credentials_store,
)
from tenant_apps.messaging.whatsapp.models import (
    WhatsAppChannel,
    WhatsAppDelivery,
    WhatsAppTemplate,
)
from tenant_apps.messaging.whatsapp.queueing import task_queue_after_commit
from tenant_apps.messaging.whatsapp.selectors import whatsapp_channel_get, window_refusal

_CHANNEL_FIELDS = ("provider", "phone_number", "enabled")
_PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")
_CREDENTIAL = re.compile(r"^[\x21-\x7e]{1,512}$")


@transaction.atomic
def whatsapp_channel_configure(
    *, actor: Actor, provider: str, phone_number: str, credentials: Mapping[str, str]
) -> WhatsAppChannel:
    """Connect (or reconfigure) the channel. Credentials not given keep their stored value
    when the provider stays the same; switching provider needs all of the new one's."""
    if provider not in WhatsAppChannel.Provider.values:
        raise ValidationError({"provider": [f"Use one of {WhatsAppChannel.Provider.values}."]})
    fields = FIELDS_BY_PROVIDER[provider]
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(credentials) - set(fields))
    for name in unknown:
        errors[name] = [f"Not a {provider} credential."]
    for name, value in credentials.items():
        if name in fields and not _CREDENTIAL.match(value or ""):
            errors[name] = ["Paste the value exactly as the provider shows it (no spaces)."]
    try:
        phone = normalize_phone(phone_number)
    except ValidationError as exc:
        errors["phone_number"] = [f"Not a valid phone number in E.164 form: {phone_number!r}."]
        del exc
    channel = whatsapp_channel_get()
    same_provider = channel is not None and channel.provider == provider and channel.enabled
    have = credentials_present(provider=provider) if same_provider else {}
    for name in fields:
        if not credentials.get(name) and not have.get(name):
            errors.setdefault(name, ["This field is required."])
    if errors:
        raise ValidationError(errors)
    plan_feature_enforce(feature=Feature.WHATSAPP)  # a 402 plan-limit problem if not included
    before = _channel_snapshot(channel)
    if not same_provider:
        credentials_erase()
    credentials_store(provider=provider, values={k: v for k, v in credentials.items() if v})
    if channel is None:
        channel = WhatsAppChannel(provider=provider, phone_number=phone)
    channel.provider, channel.phone_number, channel.enabled = provider, phone, True
    channel.save()
    channel_config_changed()
    audit_record(
        actor=actor,
        action="messaging.whatsapp.configure",
        target=channel,
        before=before,
        # Which credentials changed, never their values.
        after={**snapshot(channel, _CHANNEL_FIELDS), "credentials_set": sorted(credentials)},
        summary=f"WhatsApp via {provider}",
    )
    return channel


def _channel_snapshot(channel: WhatsAppChannel | None) -> dict[str, object] | None:
    if channel is None:
        return None
    return snapshot(channel, _CHANNEL_FIELDS)


@transaction.atomic
def whatsapp_channel_disable(*, actor: Actor) -> WhatsAppChannel | None:
    """Stop answering on WhatsApp and forget the credentials (webhooks then answer 404)."""
    channel = whatsapp_channel_get()
    if channel is None:
        return None
    before = _channel_snapshot(channel)
    channel.enabled = False
    channel.save(update_fields=["enabled", "updated"])
    credentials_erase()
    channel_config_changed()
    audit_record(
        actor=actor,
        action="messaging.whatsapp.disable",
        target=channel,
        before=before,
        summary="WhatsApp",
    )
    return channel


def whatsapp_template_create(
    *, actor: Actor, name: str, language: str, body: str, provider_ref: str
) -> WhatsAppTemplate:
    body = body.strip()
    errors: dict[str, list[str]] = {}
    if not body:
        errors["body"] = ["Paste the template's approved text."]
    numbers = sorted({int(n) for n in _PLACEHOLDER.findall(body)})
    if numbers and numbers != list(range(1, len(numbers) + 1)):
        errors["body"] = ["Placeholders must be {{1}}, {{2}}... without gaps."]
    if not provider_ref.strip():
        errors["provider_ref"] = ["The Twilio Content SID (HX...) or the Meta template name."]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            template = WhatsAppTemplate.objects.create(
                name=name, language=language, body=body, provider_ref=provider_ref.strip()
            )
            audit_record(
                actor=actor,
                action="messaging.whatsapp_template.create",
                target=template,
                after=snapshot(template),
            )
            return template
    except IntegrityError as exc:
        raise ValidationError(
            {"name": ["A template with this name and language already exists."]}
        ) from exc


@transaction.atomic
def whatsapp_template_delete(*, actor: Actor, template: WhatsAppTemplate) -> None:
    audit_record(
        actor=actor,
        action="messaging.whatsapp_template.delete",
        target=template,
        summary=template.name,
        before=snapshot(template),
    )
    template.delete()


def template_render(template: WhatsAppTemplate, variables: Sequence[str]) -> str:
    expected = len(set(_PLACEHOLDER.findall(template.body)))
    if len(variables) != expected:
        raise ValidationError({"variables": [f"This template takes {expected} value(s)."]})
    return _PLACEHOLDER.sub(lambda m: str(variables[int(m.group(1)) - 1]), template.body)


@transaction.atomic
def whatsapp_template_send(
    *,
    actor: Actor,
    conversation: Conversation,
    template: WhatsAppTemplate,
    variables: Sequence[str],
    sender: str = Message.Sender.STAFF,
    staff: object | None = None,
) -> Message:
    """Record a template message in a WhatsApp conversation and send it (any time: templates
    are what WhatsApp allows outside the 24-hour window)."""
    if conversation.channel != "whatsapp":
        raise Conflict("Templates are for WhatsApp conversations.")
    text = template_render(template, [str(v) for v in variables])
    (message,) = messages_send(
        conversation=conversation,
        texts=[text],
        sender=sender,
        staff=staff,  # type: ignore[arg-type]
    )
    WhatsAppDelivery.objects.filter(message=message).update(
        template=template, template_variables=[str(v) for v in variables]
    )
    audit_record(
        actor=actor,
        action="conversations.conversation.template",
        target=conversation,
        after={"message": message.pk, "template": template.name},
    )
    return message


def whatsapp_send_text(
    *,
    text: str,
    conversation: Conversation | None = None,
    phone: str = "",
    template_name: str = "",
    template_variables: Sequence[str] = (),
) -> Message | None:
    """Send `text` over the restaurant's WhatsApp, through Celery with retries.

    To a `conversation`: recorded as a system message and delivered in order with the rest
    (refused with a clear reason outside the 24-hour window, unless `template_name` names a
    stored template, which is then sent with `template_variables`). To a bare `phone`: sent
    and not recorded (one-time codes); outside the window WhatsApp only delivers a template,
    so pass one. Returns the recorded message, or None for a bare phone.
    """
    from tenant_apps.messaging.whatsapp.selectors import whatsapp_channel_active

    if not text.strip():
        raise ValidationError({"text": ["This field may not be blank."]})
    if whatsapp_channel_active() is None:
        raise Conflict("WhatsApp is not connected for this restaurant.")
    if conversation is not None:
        refusal = window_refusal(conversation)
        if refusal and template_name:
            template = _template(template_name, conversation.language)
            return whatsapp_template_send(
                actor=Actor.system("whatsapp_send_text"),
                conversation=conversation,
                template=template,
                variables=template_variables,
                sender=Message.Sender.SYSTEM,
            )
        if refusal:
            raise Conflict(refusal)
        return messages_send(conversation=conversation, texts=[text], sender=Message.Sender.SYSTEM)[
            0
        ]
    to = normalize_phone(phone)
    args = [to, text, template_name, [str(v) for v in template_variables]]
    task_queue_after_commit("whatsapp.direct_send", args=args)
    return None


def _template(name: str, language: str) -> WhatsAppTemplate:
    from tenant_apps.messaging.whatsapp.selectors import whatsapp_template_by_name

    template = whatsapp_template_by_name(name=name, language=language)
    if template is None:
        raise ValidationError({"template": [f"No WhatsApp template named {name!r}."]})
    return template
