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
    TestProviderSession,
)
from tests.concurrency import post_together, run_together
from tests.double_submit import assert_same_result

from .factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    checkout_form,
    pay,
    pay_in_browser,
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
            expected_total=5000,
        )

    results = run_together([attempt(*b) for b in buyers])

    orders = [r for r in results if isinstance(r, Order)]
    sold_out = [r for r in results if isinstance(r, OutOfStock)]
    assert len(orders) == 1, results
    assert len(sold_out) == 19, results
    assert "sold out" in sold_out[0].message
    (order,) = Order.objects.all()
    # The one order holds the unit while it awaits its payment.
    assert order.status == Order.Status.AWAITING_PAYMENT
    assert order.lines.get().quantity == 1
    assert Payment.objects.get().order == order
    assert Product.objects.get(pk=product.pk).stock_on_hand == 0
    assert pay(order).status == Order.Status.PLACED
    assert Product.objects.get(pk=product.pk).stock_on_hand == 0


@pytest.mark.parametrize("clicks", [2, 5])
def test_double_submit_places_one_order_with_one_payment_page_and_one_charge(clicks):
    """Twins of one attempt find one order (the cart is claimed once), and
    each, sent to pay at the same moment, gets its one payment page (one
    key: the payment's row). Paid, there is one charge, never refunded."""
    product = ProductFactory(stock_on_hand=10)
    buyer = UserFactory()
    address = AddressFactory(user=buyer)
    cart = cart_with(buyer, (product, 2))
    total = services.quote(cart=cart)[1].total

    def submit():
        order = services.place_order(
            cart=cart,
            buyer=buyer,
            destination=services.Destination(address=address),
            expected_total=total,
        )
        return order, services.start_payment(order=order)

    results = run_together([submit] * clicks)

    assert all(isinstance(r, tuple) for r in results), results
    assert len({order.pk for order, _ in results}) == 1
    assert len({url for _, url in results}) == 1, results
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock_on_hand == 8
    session = TestProviderSession.objects.get()
    payment = Payment.objects.get()
    assert (payment.session_id, payment.amount, payment.status) == (
        session.reference,
        total,
        Payment.Status.PENDING,
    )

    order = pay(results[0][0])
    assert order.status == Order.Status.PLACED
    payment.refresh_from_db()
    charge = TestProviderCharge.objects.get()
    assert (payment.reference, payment.status, charge.amount) == (
        charge.reference,
        Payment.Status.CAPTURED,
        total,
    )
    assert not TestProviderRefund.objects.exists()


def test_checkout_form_posted_twice_at_once_shows_both_the_one_payment_page(client):
    product = ProductFactory(stock_on_hand=10, price=2000)
    buyer = UserFactory()
    client.force_login(buyer)
    address = AddressFactory(user=buyer, is_default=True)
    cart = cart_with(buyer, (product, 3))
    responses = post_together(
        client, reverse("shop:checkout"), checkout_form(cart, address)
    )

    order = Order.objects.get()
    page = assert_same_result(responses)
    session = TestProviderSession.objects.get()
    assert page == f"/payments/test/checkout/{session.reference}/"
    assert order.payments.get().session_id == session.reference
    assert Product.objects.get(pk=product.pk).stock_on_hand == 7

    pay_in_browser(client, responses[0])
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED
    assert order.payments.get().reference == TestProviderCharge.objects.get().reference
    assert not TestProviderRefund.objects.exists()
