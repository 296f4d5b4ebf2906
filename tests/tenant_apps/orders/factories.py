from __future__ import annotations

from tenant_apps.menu.models import MenuItem
from tenant_apps.orders.models import Order
from tenant_apps.orders.services import OrderLineInput, order_create
from tests.actors import TEST_ACTOR
from tests.tenant_apps.customers.factories import make_customer
from tests.tenant_apps.menu.factories import make_category, make_item


def make_menu_item(**kwargs: object) -> MenuItem:
    return make_item(make_category(), **kwargs)  # type: ignore[arg-type]


def make_order(item: MenuItem | None = None, *, quantity: int = 2, **kwargs: object) -> Order:
    item = item or make_menu_item()
    defaults: dict[str, object] = {
        "customer": make_customer(),
        "channel": "web",
        "order_type": "pickup",
    }
    defaults.update(kwargs)
    lines = [OrderLineInput(item_id=item.pk, quantity=quantity)]
    return order_create(actor=TEST_ACTOR, lines=lines, **defaults)  # type: ignore[arg-type]
