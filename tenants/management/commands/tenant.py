"""`tenant onboard|list|show|suspend|reactivate|delete|purge|rename|domains ...`

Every change is recorded in the platform audit log by the service that makes it, with the
CLI's actor ("cli:<OS user>@<host>"), like the console's and the platform API's actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser

from core.actors import Actor
from core.cli import DysaCommand
from tenants import services
from tenants.models import Restaurant
from tenants.selectors import restaurant_get, restaurant_list, restaurant_primary_url


def restaurant_summary(restaurant: Restaurant) -> dict[str, Any]:
    return {
        "slug": restaurant.slug,
        "name": restaurant.name,
        "schema_name": restaurant.schema_name,
        "status": restaurant.status,
        "plan": restaurant.plan,
        "locale": restaurant.locale,
        "url": restaurant_primary_url(restaurant),
        "domains": sorted(d.domain for d in restaurant.domains.all()),
        "created": restaurant.created.isoformat(),
        "purge_after": restaurant.purge_after.isoformat() if restaurant.purge_after else None,
    }


class Command(DysaCommand):
    help = "Onboard restaurants and manage their lifecycle (suspend, delete, domains, rename)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        onboard = actions.add_parser("onboard", help="create a restaurant, live at once")
        onboard.add_argument("slug")
        onboard.add_argument("--name", required=True)
        onboard.add_argument("--owner-email", required=True)
        onboard.add_argument(
            "--owner-password",
            help="without it, a one-time set-password link is printed (once) for the owner",
        )
        onboard.add_argument("--plan", default="", help="billing plan code")
        onboard.add_argument("--locale", default="es", choices=["es", "en"])
        onboard.add_argument("--timezone", default="Europe/Madrid")
        onboard.add_argument("--currency", default="EUR")

        listing = actions.add_parser("list", help="restaurants, by slug")
        listing.add_argument("--status", choices=[s.value for s in Restaurant.Status])
        listing.add_argument("--search", default="", help="part of a slug, name or domain")

        show = actions.add_parser("show", help="one restaurant")
        show.add_argument("slug")

        suspend = actions.add_parser("suspend", help="hosts answer 503; data is kept")
        suspend.add_argument("slug")
        suspend.add_argument("--reason", default="")

        reactivate = actions.add_parser(
            "reactivate", help="back to active (from suspended, or deleted within grace)"
        )
        reactivate.add_argument("slug")

        delete = actions.add_parser(
            "delete", help="soft delete: unreachable now, schema dropped after the grace period"
        )
        delete.add_argument("slug")
        delete.add_argument(
            "--force",
            action="store_true",
            help="required until a backup guard is configured; overrides guards",
        )
        delete.add_argument(
            "--grace-days",
            type=int,
            default=None,
            help="days before the schema is dropped (default DYSA_TENANT_DELETE_GRACE_DAYS)",
        )

        actions.add_parser("purge", help="drop schemas of deleted restaurants past their grace")

        rename = actions.add_parser("rename", help="change the slug and its subdomain")
        rename.add_argument("slug")
        rename.add_argument("new_slug")

        domains = actions.add_parser("domains", help="a restaurant's custom domains")
        domains.add_argument("slug")
        domain_actions = domains.add_subparsers(dest="domain_action", required=True)
        domain_actions.add_parser("list", help="every domain of the restaurant")
        add = domain_actions.add_parser("add", help="add a custom domain")
        add.add_argument("domain")
        add.add_argument("--primary", action="store_true", help="make it the primary domain")
        remove = domain_actions.add_parser("remove", help="remove a custom domain")
        remove.add_argument("domain")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        handler = getattr(self, f"_{action}")
        try:
            handler(options)
        except ValidationError as error:
            raise self.fail(_messages(error)) from None
        except services.RegistryConflictError as error:
            raise self.fail(str(error)) from None
        except services.LifecycleRefusedError as error:
            raise self.fail(str(error)) from None

    def _restaurant(self, slug: str) -> Restaurant:
        restaurant = restaurant_get(slug=slug)
        if restaurant is None:
            raise self.fail(f"no restaurant with slug {slug!r}")
        return restaurant

    def _onboard(self, options: dict[str, Any]) -> None:
        result = services.restaurant_onboard(
            slug=options["slug"],
            name=options["name"],
            owner_email=options["owner_email"],
            owner_password=options["owner_password"],
            plan=options["plan"],
            locale=options["locale"],
            timezone=options["timezone"],
            currency=options["currency"],
            actor=Actor.cli(),
        )
        summary = restaurant_summary(result.restaurant)
        summary["owner_email"] = options["owner_email"].strip().lower()
        summary["owner_setup_link"] = result.owner_setup_link
        lines = [f"onboarded {summary['slug']} ({summary['schema_name']}) at {summary['url']}"]
        if result.owner_setup_link:
            lines.append(f"owner set-password link (shown once): {result.owner_setup_link}")
        self.emit(summary, "\n".join(lines))

    def _list(self, options: dict[str, Any]) -> None:
        rows = [
            restaurant_summary(r)
            for r in restaurant_list(
                status=options["status"], search=options["search"]
            ).prefetch_related("domains")
        ]
        human = "\n".join(
            f"{r['slug']:<28} {r['status']:<10} {r['plan'] or '-':<10} {r['name']}" for r in rows
        )
        self.emit(rows, human or "no restaurants")

    def _show(self, options: dict[str, Any]) -> None:
        summary = restaurant_summary(self._restaurant(options["slug"]))
        self.emit(summary, "\n".join(f"{k:<12} {v}" for k, v in summary.items()))

    def _suspend(self, options: dict[str, Any]) -> None:
        restaurant = services.restaurant_suspend(
            restaurant=self._restaurant(options["slug"]),
            reason=options["reason"],
            actor=Actor.cli(),
        )
        self.emit(restaurant_summary(restaurant), f"{restaurant.slug} suspended")

    def _reactivate(self, options: dict[str, Any]) -> None:
        restaurant = services.restaurant_reactivate(
            restaurant=self._restaurant(options["slug"]), actor=Actor.cli()
        )
        self.emit(restaurant_summary(restaurant), f"{restaurant.slug} is active")

    def _delete(self, options: dict[str, Any]) -> None:
        days = options["grace_days"]
        restaurant = services.restaurant_delete(
            restaurant=self._restaurant(options["slug"]),
            force=options["force"],
            grace=timedelta(days=days) if days is not None else None,
            actor=Actor.cli(),
        )
        summary = restaurant_summary(restaurant)
        self.emit(
            summary, f"{restaurant.slug} deleted; schema dropped after {summary['purge_after']}"
        )

    def _purge(self, options: dict[str, Any]) -> None:
        purged = services.restaurants_purge_due(
            progress=lambda done, total: self.progress(done, total, "purged "),
            actor=Actor.cli(),
        )
        self.emit({"purged": purged}, f"purged {len(purged)}: {', '.join(purged) or '-'}")

    def _rename(self, options: dict[str, Any]) -> None:
        restaurant = services.restaurant_rename(
            restaurant=self._restaurant(options["slug"]),
            new_slug=options["new_slug"],
            actor=Actor.cli(),
        )
        summary = restaurant_summary(restaurant)
        self.emit(summary, f"renamed to {restaurant.slug}, now at {summary['url']}")

    def _domains(self, options: dict[str, Any]) -> None:
        restaurant = self._restaurant(options["slug"])
        action = options["domain_action"]
        if action == "add":
            services.domain_add(
                restaurant=restaurant,
                domain=options["domain"],
                primary=options["primary"],
                actor=Actor.cli(),
            )
        elif action == "remove":
            services.domain_remove(
                restaurant=restaurant, domain=options["domain"], actor=Actor.cli()
            )
        rows = [
            {"domain": d.domain, "is_primary": d.is_primary}
            for d in restaurant.domains.order_by("domain")
        ]
        self.emit(
            {"slug": restaurant.slug, "domains": rows},
            "\n".join(f"{r['domain']}{'  (primary)' if r['is_primary'] else ''}" for r in rows),
        )


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return "; ".join(error.messages)
