from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "tenant_apps.assistant"
    label = "assistant"
    verbose_name = "Assistant"
