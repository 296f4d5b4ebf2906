from django.apps import AppConfig


class PlatformAuditConfig(AppConfig):
    name = "shared_apps.platform_audit"
    label = "platform_audit"
    verbose_name = "Platform audit log"

    def ready(self) -> None:
        from core.platform_actions import platform_action

        platform_action.connect(_record, dispatch_uid="platform_audit.platform_action")


def _record(sender: object, **kwargs: object) -> None:
    from core.actors import Actor
    from shared_apps.accounts.models import User
    from shared_apps.platform_audit.services import platform_audit_record

    actor = kwargs.get("actor")
    detail = kwargs.get("detail")
    platform_audit_record(
        actor=actor if isinstance(actor, User | Actor) else None,
        action=str(kwargs.get("action", "")),
        restaurant_slug=str(kwargs.get("restaurant_slug", "")),
        detail=dict(detail) if isinstance(detail, dict) else {},
    )
