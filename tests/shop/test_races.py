"""Races with real transactions and threads: the last unit and the double click.

Django's TestCase would wrap everything in one transaction and hide both
races, so these use ``transaction=True`` and one connection per thread.
"""

import pytest

from shop import services
from shop.exceptions import OutOfStock
from shop.models import Order, Product
from tests.concurrency import run_together

from .factories import TEST_CARD, AddressFactory, ProductFactory, UserFactory, cart_with

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_twenty_buyers_one_last_unit_exactly_one_order():
    product = ProductFactory(stock_on_hand=1, price=5000)
    buyers = []
    for _ in range(20):
        buyer = UserFactory()
        cart = cart_with(buyer, (product, 1))
        buyers.append((buyer, cart, AddressFactory(user=buyer)))

    def attempt(buyer, cart, address):
        return lambda: services.place_order(
            cart=cart,
            buyer=buyer,
            destination=services.Destination(address=address),
            card_number=TEST_CARD,
            expected_total=5000,
        )

    results = run_together([attempt(*b) for b in buyers])

    orders = [r for r in results if isinstance(r, Order)]
    sold_out = [r for r in results if isinstance(r, OutOfStock)]
    assert len(orders) == 1, results
    assert len(sold_out) == 19, results
    assert "sold out" in sold_out[0].message
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock_on_hand == 0


def test_double_submit_places_one_order():
    product = ProductFactory(stock_on_hand=10)
    buyer = UserFactory()
    address = AddressFactory(user=buyer)
    cart = cart_with(buyer, (product, 2))
    total = services.quote(cart=cart)[1].total

    def submit():
        return services.place_order(
            cart=cart,
            buyer=buyer,
            destination=services.Destination(address=address),
            card_number=TEST_CARD,
            expected_total=total,
        )

    results = run_together([submit] * 5)

    assert all(isinstance(r, Order) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock_on_hand == 8
    assert results[0].payments.count() == 1
