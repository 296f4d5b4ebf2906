"""`operator create <email> --role operator|support [--password P]`, `operator reset-2fa <email>`,
`operator list`.

Creating an account and resetting its two-factor print the TOTP provisioning URI and the
recovery codes once; nothing shows them again."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser
from django.db import transaction

from core.actors import Actor
from core.cli import DysaCommand
from core.db import use_public_schema
from shared_apps.accounts.services import (
    PLATFORM_ROLES,
    operator_create,
    operator_two_factor_reset,
)
from shared_apps.accounts.two_factor import Enrollment, two_factor_enroll


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
        reset = actions.add_parser(
            "reset-2fa", help="new authenticator secret and recovery codes (old ones stop working)"
        )
        reset.add_argument("email")

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
        if options["action"] == "reset-2fa":
            self._reset_two_factor(options["email"])
            return
        try:
            with transaction.atomic():
                user, link = operator_create(
                    email=options["email"],
                    role=options["role"],
                    password=options["password"],
                    full_name=options["full_name"],
                    actor=Actor.cli(),
                )
                enrollment = two_factor_enroll(user=user)
        except ValidationError as error:
            raise self.fail(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            ) from None
        lines = [f"created {user.role} {user.email}"]
        if link:
            lines.append(f"set-password link (shown once): {link}")
        lines.extend(_enrollment_lines(enrollment))
        self.emit(
            {
                "id": user.pk,
                "email": user.email,
                "role": user.role,
                "set_password_link": link,
                "totp_uri": enrollment.totp_uri,
                "recovery_codes": enrollment.recovery_codes,
            },
            "\n".join(lines),
        )

    def _reset_two_factor(self, email: str) -> None:
        user = (
            get_user_model()
            .objects.filter(email=email.strip().lower(), role__in=PLATFORM_ROLES)
            .first()
        )
        if user is None:
            raise self.fail(f"no platform account {email}")
        enrollment = operator_two_factor_reset(user=user, actor=Actor.cli())
        self.emit(
            {
                "email": user.email,
                "totp_uri": enrollment.totp_uri,
                "recovery_codes": enrollment.recovery_codes,
            },
            "\n".join([f"two-factor reset for {user.email}", *_enrollment_lines(enrollment)]),
        )


def _enrollment_lines(enrollment: Enrollment) -> list[str]:
    return [
        f"authenticator (TOTP) URI, shown once: {enrollment.totp_uri}",
        "recovery codes, shown once (each works one time): " + " ".join(enrollment.recovery_codes),
    ]
