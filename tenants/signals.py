"""Hooks the tenant registry offers to higher layers (a lower layer never imports them).

`platform_action` is sent, inside the action's transaction, after an operator changed the
registry through the platform API: `actor` (the platform user), `action` (e.g.
`restaurant.suspend`), `restaurant_slug` and `detail` (a dict, never secrets). The platform
audit log (shared_apps.platform_audit) records it.
"""

from __future__ import annotations

from django.dispatch import Signal

platform_action = Signal()
