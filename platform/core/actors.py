"""Who performs a write: every write service takes `actor` and names it in its audit entry.

A small typed value rather than a user object, because not every writer is a user: an
integration's API key, the assistant answering a customer, the system (demo seeding, nightly
jobs) and platform operators write too (ADR 0008).
"""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final


class ActorKind(StrEnum):
    STAFF = "staff"
    API_KEY = "api_key"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    OPERATOR = "operator"
    # Someone running a management command (`manage.py tenant suspend …`) on a server.
    CLI = "cli"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    # What the audit log shows: an email, "api-key:POS (dysa_ab12)", "assistant", "system:…".
    label: str
    # The staff account (a user of the restaurant's schema), for staff actors only.
    user_id: int | None = None
    # That account's role when it acted (services that guard owner-only powers read it).
    role: str = ""

    @classmethod
    def _account(cls, kind: ActorKind, user: Any) -> Actor:
        return cls(
            kind,
            str(getattr(user, "email", "")),
            user_id=user.pk,
            role=str(getattr(user, "role", "")),
        )

    @classmethod
    def staff(cls, user: Any) -> Actor:
        return cls._account(ActorKind.STAFF, user)

    @classmethod
    def system(cls, what: str) -> Actor:
        return cls(ActorKind.SYSTEM, f"system:{what}")

    @classmethod
    def operator(cls, email: str) -> Actor:
        return cls(ActorKind.OPERATOR, f"operator:{email}")

    @classmethod
    def platform(cls, user: Any) -> Actor:
        """A platform account (operator or support, public schema) acting in the console or
        the platform API; `user_id` is that account's."""
        return cls._account(ActorKind.OPERATOR, user)

    @classmethod
    def cli(cls) -> Actor:
        """Whoever runs a management command: the operating-system user and the host."""
        return cls(ActorKind.CLI, f"cli:{_os_user()}@{socket.gethostname()}")

    @classmethod
    def of(cls, principal: Any) -> Actor:
        """The actor of an authenticated API request (`request.user`): staff or API key."""
        if getattr(principal, "is_api_key", False):
            return cls(ActorKind.API_KEY, str(principal.label))
        return cls.staff(principal)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container's numeric user): its id
        return f"uid {os.getuid()}"


ASSISTANT: Final = Actor(ActorKind.ASSISTANT, "assistant")
# The restaurant's public page, booking a table for whoever filled in its form.
STOREFRONT: Final = Actor.system("storefront")
# Demo restaurants' data, written by `seed_demo`.
SEED_DEMO: Final = Actor.system("seed_demo")
