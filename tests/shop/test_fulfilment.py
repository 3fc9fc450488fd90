"""Shipments: some or all of an order's lines, preparing → shipped → delivered."""

import pytest
from django.core import mail

from shop import selectors, services
from shop.exceptions import FulfilmentError
from shop.models import Order, OrderEvent, Shipment

from .factories import ProductFactory, UserFactory, placed_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    return placed_order(
        None, (ProductFactory(stock_on_hand=9), 4), (ProductFactory(), 1)
    )


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def test_four_of_five_then_the_rest(order, staff, django_capture_on_commit_callbacks):
    first_line, second_line = order.lines.all()
    parcel = services.create_shipment(
        order=order, quantities={first_line.pk: 3, second_line.pk: 1}, actor=staff
    )
    assert selectors.unshipped_quantities(order) == {
        first_line.pk: 1,
        second_line.pk: 0,
    }

    with django_capture_on_commit_callbacks(execute=True):
        services.mark_shipped(shipment=parcel, actor=staff, tracking_number="T-1")
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_SHIPPED
    assert "on its way" in mail.outbox[-1].subject
    assert "T-1" in mail.outbox[-1].body

    rest = services.create_shipment_for_remaining(order=order, actor=staff)
    assert [(line.order_line_id, line.quantity) for line in rest.lines.all()] == [
        (first_line.pk, 1)
    ]
    services.mark_shipped(shipment=rest, actor=staff)
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED

    services.mark_delivered(shipment=parcel, actor=staff)
    services.mark_delivered(shipment=rest, actor=staff)
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED
    assert list(order.events.values_list("kind", "actor")) == [
        (OrderEvent.Kind.AWAITING_PAYMENT, order.buyer_id),
        (OrderEvent.Kind.PAID, None),  # the provider's word, no one's act
        (OrderEvent.Kind.SHIPMENT_CREATED, staff.pk),
        (OrderEvent.Kind.SHIPPED, staff.pk),
        (OrderEvent.Kind.SHIPMENT_CREATED, staff.pk),
        (OrderEvent.Kind.SHIPPED, staff.pk),
        (OrderEvent.Kind.DELIVERED, staff.pk),
        (OrderEvent.Kind.DELIVERED, staff.pk),
    ]


def test_cannot_ship_more_than_ordered(order, staff):
    line = order.lines.first()
    with pytest.raises(FulfilmentError):
        services.create_shipment(order=order, quantities={line.pk: 5}, actor=staff)
    services.create_shipment(order=order, quantities={line.pk: 4}, actor=staff)
    with pytest.raises(FulfilmentError):
        services.create_shipment(order=order, quantities={line.pk: 1}, actor=staff)
    assert Shipment.objects.count() == 1


def test_cannot_ship_nothing_or_another_orders_line(order, staff):
    with pytest.raises(FulfilmentError):
        services.create_shipment(order=order, quantities={}, actor=staff)
    other = placed_order()
    with pytest.raises(FulfilmentError):
        services.create_shipment(
            order=order, quantities={other.lines.get().pk: 1}, actor=staff
        )


def test_status_moves_forward_only_and_repeats_change_nothing(order, staff):
    parcel = services.create_shipment_for_remaining(order=order, actor=staff)
    with pytest.raises(FulfilmentError):
        services.mark_delivered(shipment=parcel, actor=staff)
    services.mark_shipped(shipment=parcel, actor=staff)
    services.mark_shipped(shipment=parcel, actor=staff)
    services.mark_delivered(shipment=parcel, actor=staff)
    services.mark_delivered(shipment=parcel, actor=staff)
    with pytest.raises(FulfilmentError):
        services.mark_shipped(shipment=parcel, actor=staff)
    assert order.events.filter(kind=OrderEvent.Kind.SHIPPED).count() == 1
    assert order.events.filter(kind=OrderEvent.Kind.DELIVERED).count() == 1
