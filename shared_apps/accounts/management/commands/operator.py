"""`operator create <email> --role operator|support [--password P]`, `operator list`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser

from core.cli import DysaCommand
from core.db import use_public_schema
from shared_apps.accounts.services import PLATFORM_ROLES, operator_create


class Command(DysaCommand):
    help = "Platform accounts (public schema): operators run the platform, support helps."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="create an operator or support account")
        create.add_argument("email")
        create.add_argument("--role", required=True, choices=PLATFORM_ROLES)
        create.add_argument(
            "--password", help="without it, a one-time set-password link is printed (once)"
        )
        create.add_argument("--full-name", default="")
        actions.add_parser("list", help="platform accounts and their roles")

    def handle(self, *args: Any, **options: Any) -> None:
        use_public_schema()
        if options["action"] == "list":
            rows = list(
                get_user_model()
                .objects.filter(role__in=PLATFORM_ROLES)
                .order_by("email")
                .values("id", "email", "role", "is_active")
            )
            self.emit(rows, "\n".join(f"{r['email']:<40} {r['role']}" for r in rows) or "none")
            return
        try:
            user, link = operator_create(
                email=options["email"],
                role=options["role"],
                password=options["password"],
                full_name=options["full_name"],
            )
        except ValidationError as error:
            raise self.fail(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            ) from None
        lines = [f"created {user.role} {user.email}"]
        if link:
            lines.append(f"set-password link (shown once): {link}")
        self.emit(
            {"id": user.pk, "email": user.email, "role": user.role, "set_password_link": link},
            "\n".join(lines),
        )
