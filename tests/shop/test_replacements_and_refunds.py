"""Replacement parcels and refunds: what support will use to put things right."""

import pytest
from django.urls import reverse

from shop import selectors, services
from shop.exceptions import OutOfStock, RefundNotAllowed, RefundRefused
from shop.models import (
    Order,
    OrderEvent,
    Payment,
    Product,
    Refund,
    Shipment,
    TestProviderRefund,
)
from shop.payments import TestPaymentProvider

from .factories import (
    ProductFactory,
    UserFactory,
    deliver,
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
    # The provider's books agree: two refunds of the one charge, with keys.
    assert sorted(TestProviderRefund.objects.values_list("amount", flat=True)) == [
        2000,
        2000,
    ]


def test_an_order_paid_with_credit_is_refunded_to_credit():
    buyer = UserFactory()
    services.issue_store_credit(user=buyer, amount=10000, reason="Goodwill", actor=None)
    order = placed_order(buyer, (ProductFactory(price=3000), 1), use_store_credit=True)
    assert order.payments.get().provider == Payment.STORE_CREDIT
    refund = services.refund_order_line(
        order_line=order.lines.get(), quantity=1, actor=None, reference="r", reason="x"
    )
    assert refund.method == Refund.Method.STORE_CREDIT
    assert selectors.store_credit_balance(user=buyer) == 10000 - 3600 + 3000


def _split_order(buyer, *, credit=4000, card=2000):
    """An order of ``credit + card`` (two units at half), paid with that
    much store credit and the rest on the card."""
    services.issue_store_credit(
        user=buyer, amount=credit, reason="Goodwill", actor=None
    )
    order = placed_order(
        buyer,
        (ProductFactory(price=(credit + card) // 2), 2),
        use_store_credit=True,
    )
    assert sorted((p.provider, p.amount) for p in order.payments.all()) == [
        (Payment.STORE_CREDIT, credit),
        ("test", card),
    ]
    return order


def _parts(refund):
    return [(part.payment.provider, part.amount) for part in refund.parts.all()]


def test_a_split_payment_is_refunded_card_first_each_tender_no_more_than_it_paid():
    """4,000 of credit and 2,000 on the card, refunded 3,000 twice: the card
    gets back its 2,000 and no more, the credit the other 4,000."""
    buyer = UserFactory()
    order = _split_order(buyer)
    line = order.lines.get()
    first = services.refund_order_line(
        order_line=line, quantity=1, actor=None, reference="r1", reason="Broken"
    )
    assert (first.method, first.status) == (Refund.Method.SPLIT, "succeeded")
    assert _parts(first) == [("test", 2000), (Payment.STORE_CREDIT, 1000)]
    assert selectors.store_credit_balance(user=buyer) == 1000

    second = services.refund_order_line(
        order_line=line, quantity=1, actor=None, reference="r2", reason="Broken"
    )
    assert (second.method, _parts(second)) == (
        Refund.Method.STORE_CREDIT,
        [(Payment.STORE_CREDIT, 3000)],
    )
    assert selectors.store_credit_balance(user=buyer) == 4000
    # The provider gave back exactly what the card paid, once.
    assert list(TestProviderRefund.objects.values_list("amount", flat=True)) == [2000]
    assert [left for _payment, left in selectors.refundable_tenders(order)] == [0, 0]
    with pytest.raises(RefundNotAllowed):
        services.refund_order_line(
            order_line=line, quantity=1, actor=None, reference="r3", reason="x"
        )


def _refunded_at_the_provider(order, amount):
    """Someone refunded the card on the provider's dashboard, not through us."""
    TestPaymentProvider().refund(
        reference=order.payments.exclude(provider=Payment.STORE_CREDIT).get().reference,
        amount=amount,
        idempotency_key="dashboard",
    )


def test_a_refund_the_provider_refuses_is_failed_with_its_reason_and_gives_nothing():
    buyer = UserFactory()
    order = _split_order(buyer)
    _refunded_at_the_provider(order, 1500)  # the card has 500 left there
    line = order.lines.get()
    with pytest.raises(RefundRefused, match="more than the ¥500 left"):
        services.refund_order_line(
            order_line=line, quantity=1, actor=None, reference="r1", reason="Broken"
        )
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.FAILED
    assert "more than the ¥500 left" in refund.failure_message
    # All or nothing: the store credit part was not issued either.
    assert selectors.store_credit_balance(user=buyer) == 0
    assert selectors.refundable_amount(line) == line.subtotal
    event = order.events.get(kind=OrderEvent.Kind.REFUND_FAILED)
    assert "more than the ¥500 left" in event.message
    # Asking again with the same reference says what happened, no new call.
    again = services.refund_order_line(
        order_line=line, quantity=1, actor=None, reference="r1", reason="Broken"
    )
    assert (again, again.status) == (refund, Refund.Status.FAILED)
    assert TestProviderRefund.objects.count() == 1  # the dashboard's


def test_the_order_page_shows_a_refused_refund_and_its_reason(staff_client):
    order = _split_order(UserFactory())
    _refunded_at_the_provider(order, 2000)
    with pytest.raises(RefundRefused):
        services.refund_order_line(
            order_line=order.lines.get(),
            quantity=1,
            actor=None,
            reference="r1",
            reason="Broken",
        )
    page = staff_client.get(reverse("admin:shop_order_change", args=[order.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Failed" in text
    assert "more than the ¥0 left" in text
    assert "Refund refused" in text  # the order's timeline
