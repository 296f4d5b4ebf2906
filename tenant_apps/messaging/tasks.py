"""Celery finds this app's tasks here (autodiscovery): the WhatsApp channel's."""

from tenant_apps.messaging.whatsapp.tasks import (  # noqa: F401
    whatsapp_conversation_flush_task,
    whatsapp_direct_send_task,
    whatsapp_inbound_process_task,
    whatsapp_status_apply_task,
    whatsapp_sweep_all_task,
    whatsapp_sweep_task,
)
