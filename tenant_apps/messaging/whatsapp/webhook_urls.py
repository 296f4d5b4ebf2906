from django.urls import path

from tenant_apps.messaging.whatsapp import webhooks

urlpatterns = [
    path("twilio/", webhooks.twilio_webhook, name="whatsapp-webhook-twilio"),
    path("meta/", webhooks.meta_webhook, name="whatsapp-webhook-meta"),
]
