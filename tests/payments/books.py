"""What the Stripe tests share: an order awaiting its payment on the fake
Stripe, the webhook's address on the live server, and the books that must
balance after every race: 0 duplicate charges, 0 lost orders, 0 orders
settled twice, 0 oversold units."""

from collections import Counter

from django.core import mail
from django.db.models import Sum
from django.urls import reverse

from shop import services
from shop.models import Order, OrderEvent, OrderLine, Payment, Product, User
from shop.tasks import send_order_confirmations
from tests.payments.fake_stripe import FakeStripe
from tests.shop.factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    expected_total,
)

DECLINED = "4000000000000002"


def awaiting_order(
    buyer: User | None = None,
    *items: tuple[Product, int],
    use_store_credit: bool = False,
) -> Order:
    """An order of ``items`` (one new product by default) checked out by
    ``buyer`` and awaiting its card payment, not yet sent to Stripe."""
    buyer = buyer or UserFactory()
    cart = cart_with(buyer, *(items or [(ProductFactory(), 1)]))
    order = services.place_order(
        cart=cart,
        buyer=buyer,
        destination=services.Destination(address=AddressFactory(user=buyer)),
        expected_total=expected_total(cart),
        use_store_credit=use_store_credit,
    )
    assert order.status == Order.Status.AWAITING_PAYMENT
    return order


def card_payment(order: Order) -> Payment:
    return order.payments.exclude(provider=Payment.STORE_CREDIT).get()


def session_id(order: Order) -> str:
    """The Stripe Checkout Session the order's card payment opened."""
    payment = card_payment(order)
    assert payment.session_id, "start_payment was not called"
    return payment.session_id


def opened(order: Order) -> str:
    """Open the order's Stripe page (``start_payment``); its session id."""
    services.start_payment(order=order)
    return session_id(order)


def webhook_url(live_server, provider: str = "stripe") -> str:
    return live_server.url + reverse("shop:payment_webhook", args=[provider])


def refreshed(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def confirmations_of(order: Order) -> int:
    """Confirmation emails sent for ``order``."""
    return sum(
        1
        for message in mail.outbox
        if message.to == [order.email] and order.number in message.subject
    )


def assert_books(fake: FakeStripe, stock: dict[Product, int]) -> None:
    """After any race, the shop and Stripe agree, and:

    - 0 duplicate charges: one Checkout Session per payment of ours, at most
      one charge per PaymentIntent, one PaymentIntent per session;
    - 0 lost orders: every session Stripe took money for is a captured
      payment of an order that is paid (or refunded as a late payment);
    - 0 orders settled twice: one "paid" timeline entry and one
      confirmation (once Beat's sweep has run) for each order placed, none
      for one that is not;
    - 0 oversold units: each product's stock is what it started with less
      what orders not cancelled hold, and never below zero.

    ``stock`` maps each product to its stock before the test's orders.
    """
    sessions = fake.of_type("checkout.session")
    per_payment = Counter(s["metadata"]["payment"] for s in sessions)
    assert set(per_payment.values()) <= {1}, per_payment
    charges = fake.of_type("charge")
    per_intent = Counter(c["payment_intent"] for c in charges)
    assert set(per_intent.values()) <= {1}, per_intent
    intents = Counter(s["payment_intent"] for s in sessions if s["payment_intent"])
    assert set(intents.values()) <= {1}, intents
    assert len(fake.of_type("payment_intent")) == len(intents)

    paid = [s for s in sessions if s["payment_status"] == "paid"]
    assert len(charges) == len(paid)
    for session in paid:
        payment = Payment.objects.select_related("order").get(session_id=session["id"])
        assert payment.reference == session["payment_intent"]
        if payment.status == Payment.Status.REFUNDED:
            assert not payment.order.is_paid  # a late payment, given back
        else:
            assert payment.status == Payment.Status.CAPTURED
            assert payment.order.is_paid, payment.order.status

    # Beat's sweep, as it runs every few seconds: an order placed while a
    # twin's settle() held its row is skipped by the send that order asked
    # for (it skips locked rows), and goes out with the sweep.
    send_order_confirmations()
    for order in Order.objects.all():
        by_card = order.payments.exclude(provider=Payment.STORE_CREDIT).exists()
        placed = 1 if order.is_paid else 0
        assert order.events.filter(kind=OrderEvent.Kind.PAID).count() == (
            placed if by_card else 0
        ), order
        assert confirmations_of(order) == placed, order
        assert (order.confirmation_sent_at is not None) == bool(placed)

    for product, before in stock.items():
        held = (
            OrderLine.objects.filter(product=product)
            .exclude(order__status=Order.Status.CANCELLED)
            .aggregate(units=Sum("quantity"))["units"]
            or 0
        )
        now = Product.objects.get(pk=product.pk).stock_on_hand
        assert now == before - held >= 0, (product, before, held, now)
