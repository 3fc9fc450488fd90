"""SQL queries per listing page at 10 and at 100 items (the ratio must be 1.00).

Run by benchmarks/bench.py in its own process and database, alongside the
stack's start-up, with the settings and environment of the benchmark stack;
pages are requested through Django's test client, signed in, with the
helpers the query-count tests use. Writes a JSON list to the given path.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.customers import second_factor_used


def page_queries() -> list[dict]:
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from shop import services as shop_services
    from support import services as support_services
    from support.permissions import AGENT_GROUP
    from tests.gifts.factories import give
    from tests.queries import queries_for
    from tests.shop.factories import (
        CategoryFactory,
        ProductFactory,
        UserFactory,
        cart_with,
        deliver,
        placed_order,
    )
    from tests.support.factories import CaseFactory
    from tests.wishlist.factories import WishListFactory, WishListItemFactory

    client = Client(HTTP_HOST="127.0.0.1")
    results = []

    def measure(name: str, url: str, grow) -> None:
        small = len(queries_for(client, url))
        grow()
        large = len(queries_for(client, url))
        results.append(
            {"page": name, "at_10": small, "at_100": large,
             "ratio": round(large / small, 2)}
        )  # fmt: skip

    with override_settings(
        SHOP_PRODUCTS_PER_PAGE=100,
        SHOP_ORDERS_PER_PAGE=100,
        # Test data only: a fast hasher for the factories' passwords.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        products = ProductFactory.create_batch(100, stock_on_hand=1000)
        browser = UserFactory()
        client.force_login(browser)
        category = CategoryFactory()
        ProductFactory.create_batch(10, category=category)
        cart_with(browser, (products[0], 1))  # the header shows its count
        measure(
            "product list",
            f"/?category={category.slug}",
            lambda: ProductFactory.create_batch(90, category=category),
        )

        cart = shop_services.create_cart(owner=UserFactory())
        client.force_login(cart.owner)

        def add(batch) -> None:
            for product in batch:
                shop_services.add_to_cart(cart=cart, product_id=product.pk, quantity=1)

        add(products[:10])
        measure("cart", "/cart/", lambda: add(products[10:]))

        wishlist = WishListFactory()
        client.force_login(UserFactory())  # a giver

        def wish(batch) -> None:
            for product in batch:
                WishListItemFactory(wishlist=wishlist, product=product)

        wish(products[:10])
        measure("wish list", wishlist.get_share_url(), lambda: wish(products[10:]))

        buyer = UserFactory()
        client.force_login(buyer)
        orders = []

        def order(count: int) -> None:
            orders.extend(placed_order(buyer, (products[1], 1)) for _ in range(count))

        order(10)
        measure("orders", "/orders/", lambda: order(90))

        def file_cases(batch) -> None:
            for placed in batch:
                support_services.file_case(
                    customer=buyer, order_line=placed.lines.get(), problem="other",
                    description="Where is it?",
                )  # fmt: skip

        file_cases(orders[:10])
        measure("case list (help)", "/help/", lambda: file_cases(orders[10:]))

        gifted = WishListFactory()
        items = [WishListItemFactory(wishlist=gifted, product=p) for p in products]
        giver = UserFactory()

        def give_and_deliver(batch) -> None:
            for item in batch:
                deliver(give(item, giver=giver).order)

        give_and_deliver(items[:10])
        client.force_login(gifted.owner)
        measure(
            "gifts received", "/gifts/received/", lambda: give_and_deliver(items[10:])
        )

        # The desk home, for an agent signed in with their second factor.
        agent = UserFactory(is_staff=True)
        agent.groups.add(Group.objects.get(name=AGENT_GROUP))
        client.force_login(agent)
        session = client.session
        session.update(second_factor_used(agent.pk))
        session.save()
        CaseFactory.create_batch(10)
        measure(
            "desk home (admin)",
            reverse("admin:support_case_desk"),
            lambda: CaseFactory.create_batch(90),
        )
    return results


def main() -> None:
    import logging

    import django

    django.setup()
    # Its broker is in memory (see bench.py): kombu's note about that is noise.
    logging.getLogger("kombu").setLevel(logging.ERROR)
    from django.db import connection

    # Test data only, on this process's own database: no fsync per commit.
    connection.cursor().execute("SET synchronous_commit TO off")
    Path(sys.argv[1]).write_text(json.dumps(page_queries(), indent=2) + "\n")


if __name__ == "__main__":
    main()
