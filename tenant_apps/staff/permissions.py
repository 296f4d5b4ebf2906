"""The permission catalogue and the default role matrix (documented in docs/permissions.md).

Permissions are named `<area>.<action>`. Roles are rows in each restaurant's schema (the owner
may retune manager/staff/viewer); these are the defaults every restaurant starts with. The
owner always holds every permission so a restaurant can never lock itself out.
"""

from __future__ import annotations

from typing import Final

PERMISSIONS: Final[dict[str, str]] = {
    "restaurant.view": "See the restaurant profile, opening hours and closed dates",
    "restaurant.manage": (
        "Edit the restaurant profile (address, phone, languages, currency) "
        "and the web chat settings"
    ),
    "hours.manage": "Edit opening hours and closed dates",
    "assistant.manage": (
        "Edit the assistant's greeting and persona and choose its engine "
        "(language model, server, API key)"
    ),
    "menu.view": "See the full menu, hidden categories and unavailable items included",
    "menu.manage": "Create, edit and delete categories, items and options",
    "menu.availability": "Mark items available or sold out",
    "customers.view": "See customers",
    "customers.create": "Create customers",
    "customers.update": "Edit customers",
    "customers.delete": "Delete customers",
    "orders.view": "See orders",
    "orders.create": "Create orders and quotes",
    "orders.update_status": "Move orders through the kitchen statuses",
    "orders.cancel": "Cancel orders",
    "reservations.view": "See reservations",
    "reservations.create": "Book tables",
    "reservations.update": "Reschedule reservations and change their status",
    "reservations.cancel": "Cancel reservations",
    "reservations.settings": "Edit booking rules (capacity, slots, party sizes)",
    "tables.manage": "Create, edit and delete tables",
    "promotions.view": "See promotions",
    "promotions.manage": "Create, edit and delete promotions",
    "staff.view": "See staff accounts and roles",
    "staff.manage": "Invite, edit and deactivate staff accounts",
    "roles.manage": "Change what the manager, staff and viewer roles may do",
    "audit.view": "Read the audit log",
    "api_keys.manage": "Create and revoke API keys for integrations",
    "conversations.view": "Read chat conversations",
    "conversations.reply": "Answer customers in a chat",
    "conversations.handoff": "Take over a chat from the assistant and hand it back",
    "analytics.view": "See sales and booking analytics",
    "integrations.manage": "Connect WhatsApp and other channels",
    "billing.view": "See the plan and invoices",
    "backups.manage": "Request backups and restores of the restaurant's data",
}

OWNER: Final = "owner"
MANAGER: Final = "manager"
STAFF: Final = "staff"
VIEWER: Final = "viewer"
ROLES: Final[tuple[str, ...]] = (OWNER, MANAGER, STAFF, VIEWER)
ROLE_NAMES: Final[dict[str, str]] = {
    OWNER: "Owner",
    MANAGER: "Manager",
    STAFF: "Staff",
    VIEWER: "Viewer",
}

_VIEWER: Final = frozenset(
    {
        "restaurant.view",
        "menu.view",
        "customers.view",
        "orders.view",
        "reservations.view",
        "promotions.view",
        "conversations.view",
        "analytics.view",
    }
)
_STAFF: Final = _VIEWER | {
    "menu.availability",
    "customers.create",
    "customers.update",
    "orders.create",
    "orders.update_status",
    "orders.cancel",
    "reservations.create",
    "reservations.update",
    "reservations.cancel",
    "conversations.reply",
    "conversations.handoff",
}
# Powers only an owner holds, whatever a role row says: they can create or take over owners
# (staff, roles) or hand the restaurant's data and keys to someone else, so they are never
# delegated (role_update refuses them and permissions_for drops them from non-owner roles).
OWNER_ONLY_PERMISSIONS: Final = frozenset(
    {
        "staff.manage",
        "roles.manage",
        "api_keys.manage",
        "integrations.manage",
        "billing.view",
        "backups.manage",
    }
)
_MANAGER: Final = frozenset(PERMISSIONS) - OWNER_ONLY_PERMISSIONS

DEFAULT_ROLE_PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    OWNER: frozenset(PERMISSIONS),
    MANAGER: _MANAGER,
    STAFF: frozenset(_STAFF),
    VIEWER: _VIEWER,
}

# What an integration's API key may do: read the restaurant's data and place orders and
# bookings, as a point-of-sale or a delivery platform would. Never staff, keys or settings.
API_KEY_PERMISSIONS: Final = frozenset(
    {
        "restaurant.view",
        "menu.view",
        "menu.availability",
        "customers.view",
        "customers.create",
        "customers.update",
        "orders.view",
        "orders.create",
        "orders.update_status",
        "orders.cancel",
        "reservations.view",
        "reservations.create",
        "reservations.update",
        "reservations.cancel",
        "promotions.view",
    }
)
