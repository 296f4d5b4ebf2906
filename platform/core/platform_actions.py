"""The hook through which platform writes reach the platform audit log (shared_apps.
platform_audit), which sits above the apps that make them (a lower layer never imports a
higher one): platform accounts, the tenant registry and its secrets.

`platform_action` is sent by those apps' services, inside the write's transaction, when they
are given an `actor` (`core.actors.Actor`: the operator in the console or the platform API,
`cli:<OS user>@<host>` for a management command), with `action` (e.g. `restaurant.suspend`),
`restaurant_slug` and `detail` (a dict, never secrets). The platform audit log records it.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

platform_action = Signal()


def platform_action_send(
    *, actor: Any, action: str, restaurant_slug: str = "", **detail: Any
) -> None:
    """Send `platform_action` for a write by `actor` (nothing without an actor: the write was
    the system's own, e.g. tests or the nightly purge)."""
    if actor is not None:
        platform_action.send(
            sender=platform_action,
            actor=actor,
            action=action,
            restaurant_slug=restaurant_slug,
            detail=detail,
        )
