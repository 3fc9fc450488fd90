"""Races with real transactions and threads: the last unit and the double click.

Django's TestCase would wrap everything in one transaction and hide both
races, so these use ``transaction=True`` and one connection per thread.
"""

import pytest
from django.urls import reverse

from shop import services
from shop.exceptions import OutOfStock
from shop.models import (
    Order,
    Payment,
    Product,
    TestProviderCharge,
    TestProviderRefund,
)
from tests.concurrency import post_together, run_together
from tests.double_submit import assert_same_result

from .factories import (
    TEST_CARD,
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    checkout_form,
)

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


@pytest.mark.parametrize("clicks", [2, 5])
def test_double_submit_places_one_order_with_one_charge_never_refunded(clicks):
    """Twins of one attempt share its charge (one key: the cart's version):
    the provider makes one, the order holds it, and the losers, finding the
    order, leave it alone rather than refund the winner's money."""
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

    results = run_together([submit] * clicks)

    assert all(isinstance(r, Order) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock_on_hand == 8
    payment = results[0].payments.get()
    charge = TestProviderCharge.objects.get()
    assert (payment.reference, payment.amount, payment.status) == (
        charge.reference,
        total,
        Payment.Status.CAPTURED,
    )
    assert charge.amount == total
    assert not TestProviderRefund.objects.exists()


def test_checkout_form_posted_twice_at_once_shows_both_the_one_order(client):
    product = ProductFactory(stock_on_hand=10, price=2000)
    buyer = UserFactory()
    client.force_login(buyer)
    address = AddressFactory(user=buyer, is_default=True)
    cart = cart_with(buyer, (product, 3))
    responses = post_together(
        client, reverse("shop:checkout"), checkout_form(cart, address)
    )

    order = Order.objects.get()
    assert assert_same_result(responses) == order.get_absolute_url()
    assert TestProviderCharge.objects.count() == 1
    assert order.payments.get().reference == TestProviderCharge.objects.get().reference
    assert not TestProviderRefund.objects.exists()
    assert Product.objects.get(pk=product.pk).stock_on_hand == 7
