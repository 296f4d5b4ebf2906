"""Hooks the tenant registry offers to higher layers (a lower layer never imports them).

`platform_action` is sent, inside the action's transaction, after the registry changed: by
the registry's services when given an `actor` (`core.actors.Actor`: an operator in the
console, whoever runs `manage.py tenant …`), and by the platform API (`actor` the platform
user). With `action` (e.g. `restaurant.suspend`), `restaurant_slug` and `detail` (a dict,
never secrets). The platform audit log (shared_apps.platform_audit) records it.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

platform_action = Signal()


def platform_action_send(*, actor: Any, action: str, restaurant_slug: str, **detail: Any) -> None:
    """Send `platform_action` for a registry write by `actor` (nothing without an actor: the
    write was the system's own, e.g. tests or the nightly purge)."""
    if actor is not None:
        platform_action.send(
            sender=platform_action,
            actor=actor,
            action=action,
            restaurant_slug=restaurant_slug,
            detail=detail,
        )
