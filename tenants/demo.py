"""The demo restaurants that `seed_demo` creates for local use (credentials are in README)."""

from __future__ import annotations

from typing import TypedDict


class DemoRestaurant(TypedDict):
    slug: str
    name: str
    locale: str
    timezone: str
    currency: str
    cuisine: str
    owner_email: str
    owner_password: str


DEMO_OWNER_PASSWORD = "demo-owner-pass"  # noqa: S105 - documented local-only demo credential

DEMO_RESTAURANTS: list[DemoRestaurant] = [
    {
        "slug": "taqueria-sol",
        "name": "Taquería El Sol",
        "locale": "es",
        "timezone": "Europe/Madrid",
        "currency": "EUR",
        "cuisine": "mexican",
        "owner_email": "owner@taqueria-sol.demo",
        "owner_password": DEMO_OWNER_PASSWORD,
    },
    {
        "slug": "casa-pepa",
        "name": "Casa Pepa",
        "locale": "es",
        "timezone": "Europe/Madrid",
        "currency": "EUR",
        "cuisine": "spanish",
        "owner_email": "owner@casa-pepa.demo",
        "owner_password": DEMO_OWNER_PASSWORD,
    },
    {
        "slug": "burger-bros",
        "name": "Burger Bros",
        "locale": "en",
        "timezone": "Europe/London",
        "currency": "GBP",
        "cuisine": "burgers",
        "owner_email": "owner@burger-bros.demo",
        "owner_password": DEMO_OWNER_PASSWORD,
    },
]
