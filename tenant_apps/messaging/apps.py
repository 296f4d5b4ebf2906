from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "tenant_apps.messaging"
    label = "messaging"
    verbose_name = "Messaging (web chat widget, WhatsApp)"

    def ready(self) -> None:
        from tenant_apps.conversations.channels import ChannelDelivery, channel_delivery_register
        from tenant_apps.conversations.models import Channel
        from tenant_apps.messaging import schema  # noqa: F401
        from tenant_apps.messaging.whatsapp.delivery import deliveries_schedule
        from tenant_apps.messaging.whatsapp.selectors import window_refusal

        channel_delivery_register(
            channel=Channel.WHATSAPP,
            delivery=ChannelDelivery(refusal=window_refusal, deliver=deliveries_schedule),
        )
