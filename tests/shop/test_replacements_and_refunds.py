"""Replacement parcels and refunds: what support will use to put things right."""

import pytest

from shop import selectors, services
from shop.exceptions import OutOfStock, RefundNotAllowed
from shop.models import Order, Payment, Product, Refund, Shipment

from .factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    deliver,
    expected_total,
    placed_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered():
    order = placed_order(None, (ProductFactory(stock_on_hand=5, price=2000), 2))
    deliver(order)
    return Order.objects.get(pk=order.pk)


def test_a_replacement_ships_on_top_of_the_order(delivered):
    line = delivered.lines.get()
    parcel = services.create_replacement_shipment(
        order_line=line, quantity=1, actor=None, note="Missing from the box"
    )
    assert parcel.reason == Shipment.Reason.REPLACEMENT
    assert parcel.estimated_delivery is not None
    assert Product.objects.get(pk=line.product_id).stock_on_hand == 2
    delivered.refresh_from_db()
    assert delivered.status == Order.Status.DELIVERED  # the order is unchanged
    assert selectors.unshipped_quantities(delivered) == {line.pk: 0}


def test_no_replacement_without_stock(delivered):
    line = delivered.lines.get()
    Product.objects.filter(pk=line.product_id).update(stock_on_hand=0)
    with pytest.raises(OutOfStock):
        services.create_replacement_shipment(order_line=line, quantity=1, actor=None)
    assert delivered.shipments.count() == 1


def test_documents_ship_without_lines(delivered):
    parcel = services.create_documents_shipment(
        order_line=delivered.lines.get(), actor=None, note="Manual and warranty card"
    )
    assert (parcel.reason, parcel.lines.count()) == (Shipment.Reason.DOCUMENTS, 0)


def test_refund_to_the_card_once_per_reference_and_never_past_the_price(delivered):
    line = delivered.lines.get()
    staff = UserFactory(is_staff=True)
    first = services.refund_order_line(
        order_line=line, quantity=1, actor=staff, reference="case-1", reason="Broken"
    )
    again = services.refund_order_line(
        order_line=line, quantity=1, actor=staff, reference="case-1", reason="Broken"
    )
    assert first == again
    assert (first.method, first.status, first.amount) == ("card", "succeeded", 2000)
    services.refund_order_line(
        order_line=line, quantity=1, actor=staff, reference="case-2", reason="Broken"
    )
    with pytest.raises(RefundNotAllowed):
        services.refund_order_line(
            order_line=line, quantity=1, actor=staff, reference="case-3", reason="x"
        )
    assert Refund.objects.count() == 2
    assert selectors.refundable_amount(line) == 0
    assert delivered.events.filter(kind="refunded").count() == 2


def test_an_order_paid_with_credit_is_refunded_to_credit():
    buyer = UserFactory()
    services.issue_store_credit(user=buyer, amount=10000, reason="Goodwill", actor=None)
    cart = cart_with(buyer, (ProductFactory(price=3000), 1))
    order = services.place_order(
        cart=cart,
        buyer=buyer,
        destination=services.Destination(address=AddressFactory(user=buyer)),
        expected_total=expected_total(cart),
        use_store_credit=True,
    )
    assert order.payments.get().provider == Payment.STORE_CREDIT
    refund = services.refund_order_line(
        order_line=order.lines.get(), quantity=1, actor=None, reference="r", reason="x"
    )
    assert refund.method == Refund.Method.STORE_CREDIT
    assert selectors.store_credit_balance(user=buyer) == 10000 - 3600 + 3000
