"""Every listing page costs the same number of queries for 10 items or 100,
and placing an order the statements it needs and no more."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shop import services
from tests.queries import assert_same_queries, queries_for, sql_of

from .factories import (
    AddressFactory,
    CategoryFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    photographed,
    placed_order,
)

pytestmark = pytest.mark.django_db


def test_product_list(client, buyer, settings, django_capture_on_commit_callbacks):
    settings.SHOP_PRODUCTS_PER_PAGE = 100
    category = CategoryFactory()
    cart_with(buyer, (ProductFactory(category=category), 1))
    photographed(ProductFactory.create_batch(9, category=category))
    url = reverse("shop:product_list")
    small = queries_for(client, url)
    # Committed, as in the shop: the catalog changes, and is counted again.
    with django_capture_on_commit_callbacks(execute=True):
        photographed(ProductFactory.create_batch(90, category=category))
    large = queries_for(client, url)
    assert_same_queries(small, large)
    # session, user, categories, count, page, first photos, cart badge
    assert len(large) <= 7
    # Seen again: the count is kept until the catalog changes again
    # (core.pagecache.kept), and the cached grid needs no photos.
    again = queries_for(client, url)
    assert len(again) == len(large) - 2
    photos_or_count = ("SELECT COUNT(", 'SELECT "shop_productimage"', 'SELECT "col1"')
    assert not [sql for sql in again if sql.startswith(photos_or_count)], again
    assert_same_queries(
        queries_for(client, url, data={"q": "product"}),
        queries_for(client, url, data={"q": "product", "category": category.slug}),
    )


def test_product_detail(client, buyer):
    product = ProductFactory()
    photographed([product], per_product=2)
    small = queries_for(client, product.get_absolute_url())
    photographed([product], per_product=10)
    large = queries_for(client, product.get_absolute_url())
    assert_same_queries(small, large)
    # session, user, product, its photos, cart badge, their lists
    assert len(large) <= 6


def test_cart(client, buyer, settings):
    products = photographed(ProductFactory.create_batch(100))
    cart = cart_with(buyer, *((p, 1) for p in products[:10]))
    small = queries_for(client, reverse("shop:cart"))
    for product in products[10:]:
        services.add_to_cart(cart=cart, product_id=product.pk, quantity=1)
    large = queries_for(client, reverse("shop:cart"))
    assert_same_queries(small, large)
    # the user; the open cart's lines with their products and which photo
    # each shows; the first photos, as neither page's lines were cached yet
    # (a cached cart page is two: tests/shop/test_cart_page.py)
    assert len(large) == 3


def test_checkout_page(client, buyer):
    AddressFactory(user=buyer, is_default=True)
    products = photographed(ProductFactory.create_batch(100))
    cart = cart_with(buyer, *((p, 1) for p in products[:10]))
    small = queries_for(client, reverse("shop:checkout"))
    for product in products[10:]:
        services.add_to_cart(cart=cart, product_id=product.pk, quantity=1)
    large = queries_for(client, reverse("shop:checkout"))
    assert_same_queries(small, large)


def test_order_list(client, buyer, settings):
    settings.SHOP_ORDERS_PER_PAGE = 100
    product = photographed([ProductFactory(stock_on_hand=1000)])[0]
    # Half of them to someone else's hidden address (a gift): each is marked
    # with whom it is for, from its own row.
    elsewhere = services.Destination(
        address=AddressFactory(), hidden_from_buyer=True, display_name="Aiko & Ren"
    )
    for n in range(10):
        placed_order(buyer, (product, 1), destination=elsewhere if n % 2 else None)
    small = queries_for(client, reverse("shop:order_list"))
    for n in range(90):
        placed_order(buyer, (product, 1), destination=elsewhere if n % 2 else None)
    response = client.get(reverse("shop:order_list"))
    assert response.content.decode().count("Gift for Aiko &amp; Ren") == 50
    large = queries_for(client, reverse("shop:order_list"))
    assert_same_queries(small, large)


def test_order_detail_with_lines_and_shipments(client, buyer):
    staff = UserFactory(is_staff=True)
    few = placed_order(
        buyer, *((p, 1) for p in photographed(ProductFactory.create_batch(10)))
    )
    many = placed_order(
        buyer, *((p, 1) for p in photographed(ProductFactory.create_batch(100)))
    )
    for order in (few, many):
        # One parcel per line: shipments grow with the order too.
        for line in order.lines.all():
            shipment = services.create_shipment(
                order=order, quantities={line.pk: 1}, actor=staff
            )
            services.mark_shipped(shipment=shipment, actor=staff)
    assert_same_queries(
        queries_for(client, few.get_absolute_url()),
        queries_for(client, many.get_absolute_url()),
    )


# Real transactions, as in production: in a test's own transaction each of
# the request's transactions would be a savepoint, and counted.
@pytest.mark.django_db(transaction=True)
def test_placing_an_order_reads_the_cart_and_its_lines_once_in_all(
    client, buyer, django_assert_num_queries
):
    """The busy write of sale day, a one-line order posted and sent to pay:
    its statements, named, so a new one shows here with what it is."""
    address = AddressFactory(user=buyer, is_default=True)
    product = ProductFactory(price=1200, stock_on_hand=5)
    cart = cart_with(buyer, (product, 1))
    total = services.quote(cart=cart)[1].total
    # 15 in all, none growing with the lines: 3 reads (the user; the cart,
    # its lines and their products in one statement, read once; the
    # address), the order's transaction (6 writes between BEGIN and COMMIT),
    # and 2 to send the buyer to pay: the provider's session written in the
    # stand-in provider's own transaction (BEGIN, INSERT, COMMIT: with
    # Stripe an HTTP call, no statement of ours), and the session kept on
    # the payment. The pending payment just written is not read back.
    with django_assert_num_queries(15) as captured:
        response = client.post(
            reverse("shop:checkout"),
            {"cart": cart.pk, "address": address.pk, "expected_total": total},
        )
    assert response.status_code == 302
    assert response["Location"].startswith("/payments/test/checkout/")
    assert _statements(captured) == [
        'SELECT "shop_user"',  # the session's user
        'SELECT "shop_cartline"',  # the posted cart with its lines and products
        'SELECT "shop_address"',  # the address chosen, one of the buyer's
        "BEGIN",  # the order's transaction
        'UPDATE "shop_cart"',  # claimed if its lines are unchanged; locked
        'INSERT "shop_order"',
        'INSERT "shop_orderline"',
        'INSERT "shop_payment"',  # the card payment, pending
        'INSERT "shop_orderevent"',  # awaiting payment
        'UPDATE "shop_product"',  # stock held if sold, in stock, same price
        "COMMIT",
        # Sent to pay (``start_payment``), after the order committed, on
        # the payment written above (``record_tenders`` keeps it on the
        # order). The stand-in provider's own books (shop.payments.TestPaymentProvider):
        # a real provider's session is an HTTP call here, not a statement of ours.
        "BEGIN",
        'INSERT "shop_testprovidersession"',
        "COMMIT",
        'UPDATE "shop_payment"',  # the session and its page, kept
    ]


def test_adding_to_the_cart_reads_the_product_with_its_line(client, buyer):
    product = ProductFactory(stock_on_hand=5)
    cart_with(buyer, (ProductFactory(), 1))
    url = reverse("shop:cart_add", args=[product.pk])
    for write in ('INSERT "shop_cartline"', 'UPDATE "shop_cartline"'):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, {"quantity": 1})
        assert response.status_code == 302
        assert _statements(captured) == [
            'SELECT "shop_user"',  # the session's user
            'UPDATE "shop_cart"',  # their open cart, found, locked, a new version
            'SELECT "shop_product"',  # the product, with the cart's line for it
            write,  # a new line, then the same line with one more
        ]


def _statements(captured) -> list[str]:
    """Each statement as its verb and first table, savepoints left out."""
    return [
        (sql.split()[0] + " " + _table(sql)).strip()
        for sql in map(sql_of, captured.captured_queries)
        if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def _table(sql: str) -> str:
    """The table a statement names after FROM, UPDATE or INTO, outside any
    subquery."""
    depth = 0
    words = sql.split()
    for word, following in itertools.pairwise(words):
        if depth == 0 and word in ("FROM", "UPDATE", "INTO"):
            return following
        depth += word.count("(") - word.count(")")
    return ""
