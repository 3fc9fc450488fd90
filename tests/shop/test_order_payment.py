"""An order's payment from the hosted page to placed or cancelled
(``shop.services.payments``): however the provider's word arrives, and
however often, an order is placed once or cancelled once, its stock and
store credit go back exactly once, and money that comes too late is given
back."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shop import confirmations, payments, services
from shop.exceptions import FulfilmentError, PaymentError
from shop.models import (
    Order,
    OrderEvent,
    Payment,
    PaymentEvent,
    Product,
    Refund,
    Shipment,
    StoreCreditEntry,
    TestProviderCharge,
    TestProviderRefund,
    TestProviderSession,
)
from shop.payments import TestPaymentProvider
from shop.selectors import store_credit_balance
from shop.services.payments import refund_late_payment, settle_stale_payments
from tests.concurrency import post_together, run_together
from tests.double_submit import assert_same_result, messages_of

from .factories import (
    TEST_CARD,
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    expected_total,
    pay,
    placed_order,
    session_of,
)

pytestmark = pytest.mark.django_db


def awaiting_order(buyer=None, *items, credit=0) -> Order:
    """An order of ``items`` awaiting its card payment (after ``credit`` of
    store credit, held at once), its page not opened yet."""
    buyer = buyer or UserFactory()
    if credit:
        services.issue_store_credit(
            user=buyer, amount=credit, reason="Return", actor=None, reference="ret"
        )
    cart = cart_with(buyer, *(items or [(ProductFactory(), 1)]))
    order = services.place_order(
        cart=cart,
        buyer=buyer,
        destination=services.Destination(address=AddressFactory(user=buyer)),
        expected_total=expected_total(cart),
        use_store_credit=bool(credit),
    )
    assert order.status == Order.Status.AWAITING_PAYMENT
    return order


def session_id(order: Order) -> str:
    return order.payments.exclude(provider=Payment.STORE_CREDIT).get().session_id


def event(order: Order, event_id: str, kind="checkout.session.completed"):
    """The provider's event of the order's session as it stands now, as the
    webhook passes it on once verified."""
    session = TestPaymentProvider().retrieve_checkout(session_id(order))
    return payments.Event(id=event_id, type=kind, session=session)


def deliver(order: Order, event_id: str, kind="checkout.session.completed") -> str:
    return services.handle_event(
        provider_name="test", event=event(order, event_id, kind)
    )


def kinds(order: Order) -> list[str]:
    return list(order.events.values_list("kind", flat=True))


def stock(*products: Product) -> list[int]:
    return [Product.objects.get(pk=p.pk).stock_on_hand for p in products]


# --- Cancelling ---------------------------------------------------------------


def test_cancel_releases_stock_exactly_and_gives_store_credit_back_once():
    kettle = ProductFactory(price=3000, stock_on_hand=5)
    mug = ProductFactory(price=1500, stock_on_hand=4)
    buyer = UserFactory()
    order = awaiting_order(buyer, (kettle, 2), (mug, 1), credit=1000)
    url = services.start_payment(order=order)
    assert stock(kettle, mug) == [3, 3]
    assert store_credit_balance(user=buyer) == 0

    order = services.close_payment(order=order, actor=buyer)

    assert order.status == Order.Status.CANCELLED
    assert stock(kettle, mug) == [5, 4]
    assert store_credit_balance(user=buyer) == 1000
    assert sorted(order.payments.values_list("provider", "status")) == [
        (Payment.STORE_CREDIT, Payment.Status.CANCELLED),
        ("test", Payment.Status.FAILED),
    ]
    assert kinds(order) == [
        OrderEvent.Kind.AWAITING_PAYMENT,
        OrderEvent.Kind.CANCELLED,
    ]
    assert order.events.last().actor == buyer
    # The provider's page is closed first: it can no longer be paid.
    assert TestPaymentProvider().pay(session_of(url), TEST_CARD).status == (
        payments.EXPIRED
    )
    assert not TestProviderCharge.objects.exists()

    # Again, and the provider's own word of the expiry: nothing more.
    assert services.close_payment(order=order, actor=buyer) == order
    assert deliver(order, "evt_expired", "checkout.session.expired") == (
        "already settled"
    )
    assert stock(kettle, mug) == [5, 4]
    assert store_credit_balance(user=buyer) == 1000
    assert (
        StoreCreditEntry.objects.filter(reference=f"cancel-order-{order.pk}").count()
        == 1
    )
    assert kinds(order).count(OrderEvent.Kind.CANCELLED) == 1


def test_an_order_whose_page_was_never_opened_is_cancelled_without_the_provider():
    product = ProductFactory(stock_on_hand=2)
    order = awaiting_order(None, (product, 2))
    order = services.close_payment(order=order)
    assert order.status == Order.Status.CANCELLED
    assert stock(product) == [2]
    assert services.start_payment(order=order) is None  # nothing left to pay
    assert not TestProviderSession.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("opened", [True, False])
def test_two_cancels_at_once_have_one_effect(opened):
    product = ProductFactory(price=4000, stock_on_hand=3)
    buyer = UserFactory()
    order = awaiting_order(buyer, (product, 2), credit=1500)
    if opened:
        services.start_payment(order=order)

    def cancel():
        return services.close_payment(order=Order.objects.get(pk=order.pk), actor=buyer)

    results = run_together([cancel, cancel])

    assert [getattr(r, "status", r) for r in results] == [Order.Status.CANCELLED] * 2
    assert stock(product) == [3]
    assert store_credit_balance(user=buyer) == 1500
    assert kinds(order).count(OrderEvent.Kind.CANCELLED) == 1
    assert (
        StoreCreditEntry.objects.filter(reference=f"cancel-order-{order.pk}").count()
        == 1
    )


# --- Settling -----------------------------------------------------------------


def test_settle_is_idempotent_paid_twice_is_placed_once(
    django_capture_on_commit_callbacks,
):
    product = ProductFactory(stock_on_hand=5)
    order = awaiting_order(None, (product, 1))
    url = services.start_payment(order=order)
    TestPaymentProvider().pay(session_of(url), TEST_CARD)

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(order, "evt_1") == "placed the order"
        # Its twin event, a redelivery, and the customer's return page.
        assert deliver(order, "evt_2") == "already paid"
        assert deliver(order, "evt_1") == "already handled"
        assert services.refresh_payment(order=order).status == Order.Status.PLACED

    order.refresh_from_db()
    assert order.status == Order.Status.PLACED
    assert kinds(order) == [OrderEvent.Kind.AWAITING_PAYMENT, OrderEvent.Kind.PAID]
    assert [m.to for m in mail.outbox] == [[order.buyer.email]]
    assert confirmations.send_pending() == 0
    assert list(PaymentEvent.objects.values_list("event_id", "outcome")) == [
        ("evt_1", "placed the order"),
        ("evt_2", "already paid"),
    ]
    payment = order.payments.get()
    assert (payment.status, payment.reference) == (
        Payment.Status.CAPTURED,
        TestProviderCharge.objects.get().reference,
    )
    assert stock(product) == [4]


@pytest.mark.parametrize(
    "kind", ["checkout.session.expired", "checkout.session.async_payment_failed"]
)
def test_a_late_failure_after_paid_changes_nothing(kind):
    """Polar #14274's ordering: an earlier attempt's failure arrives after
    the success. It must not undo it."""
    product = ProductFactory(stock_on_hand=5)
    order = pay(awaiting_order(None, (product, 1)))
    assert order.status == Order.Status.PLACED
    late = payments.Event(
        id="evt_late",
        type=kind,
        session=payments.CheckoutSession(id=session_id(order), status=payments.EXPIRED),
    )
    assert services.handle_event(provider_name="test", event=late) == (
        "already settled"
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED
    assert order.payments.get().status == Payment.Status.CAPTURED
    assert kinds(order) == [OrderEvent.Kind.AWAITING_PAYMENT, OrderEvent.Kind.PAID]
    assert stock(product) == [4]


def test_paid_after_cancelled_is_captured_then_refunded_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    """The buyer cancels while a twin request opens the payment page, and
    then pays on it: the money arrives for an order that no longer waits
    for it. It is captured and given back, once, however often the
    provider says so."""
    product = ProductFactory(price=2500, stock_on_hand=3)
    order = awaiting_order(None, (product, 2))
    start_checkout = TestPaymentProvider.start_checkout

    def cancelled_meanwhile(provider, **kwargs):
        services.close_payment(order=Order.objects.get(pk=order.pk))
        return start_checkout(provider, **kwargs)

    monkeypatch.setattr(TestPaymentProvider, "start_checkout", cancelled_meanwhile)
    url = services.start_payment(order=order)
    monkeypatch.undo()
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert stock(product) == [3]
    TestPaymentProvider().pay(session_of(url), TEST_CARD)

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(order, "evt_1") == "paid too late: refunding"
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(order, "evt_2") == "already paid"
    refund_late_payment(payment_id=order.payments.get().pk)  # a retried task

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    payment = order.payments.get()
    charge = TestProviderCharge.objects.get()
    assert (payment.status, payment.reference) == (
        Payment.Status.REFUNDED,
        charge.reference,
    )
    assert list(TestProviderRefund.objects.values_list("charge", "amount")) == [
        (charge.pk, 5000)
    ]
    assert kinds(order) == [
        OrderEvent.Kind.AWAITING_PAYMENT,
        OrderEvent.Kind.CANCELLED,
        OrderEvent.Kind.LATE_PAYMENT_REFUNDED,
    ]
    assert stock(product) == [3]  # released once, never taken again


def test_settle_stale_payments_closes_old_orders_by_what_the_provider_says(
    settings,
):
    provider = TestPaymentProvider()
    products = ProductFactory.create_batch(4, stock_on_hand=5)
    paid_unheard, left_open, never_opened, recent = (
        awaiting_order(None, (product, 1)) for product in products
    )
    for order in (paid_unheard, left_open, recent):
        services.start_payment(order=order)
    provider.pay(session_id(paid_unheard), TEST_CARD)  # its webhook was lost
    old = timezone.now() - datetime.timedelta(minutes=settings.SHOP_PAYMENT_MINUTES + 1)
    Order.objects.exclude(pk=recent.pk).update(placed_at=old)

    assert settle_stale_payments() == 3

    def status(order):
        return Order.objects.get(pk=order.pk).status

    assert [status(o) for o in (paid_unheard, left_open, never_opened, recent)] == [
        Order.Status.PLACED,
        Order.Status.CANCELLED,
        Order.Status.CANCELLED,
        Order.Status.AWAITING_PAYMENT,
    ]
    assert stock(*products) == [4, 5, 5, 4]
    assert provider.retrieve_checkout(session_id(left_open)).status == (
        payments.EXPIRED
    )
    assert settle_stale_payments() == 0  # nothing left waiting too long


def test_refresh_payment_places_a_paid_order():
    order = awaiting_order()
    assert services.refresh_payment(order=order).status == (
        Order.Status.AWAITING_PAYMENT
    )  # no page opened: nothing to ask
    url = services.start_payment(order=order)
    assert services.refresh_payment(order=order).status == (
        Order.Status.AWAITING_PAYMENT
    )  # open: the buyer has not paid yet
    TestPaymentProvider().pay(session_of(url), TEST_CARD)
    # No webhook: asking the provider is enough.
    order = services.refresh_payment(order=order)
    assert order.status == Order.Status.PLACED
    payment = order.payments.get()
    assert (payment.status, payment.card_last4) == (Payment.Status.CAPTURED, "4242")


def test_start_payment_twice_opens_one_session():
    order = awaiting_order()
    url = services.start_payment(order=order)
    assert services.start_payment(order=Order.objects.get(pk=order.pk)) == url
    session = TestProviderSession.objects.get()
    assert url == f"/payments/test/checkout/{session.reference}/"
    assert (session.amount, session.metadata) == (
        order.total,
        {"order": str(order.pk), "payment": str(order.payments.get().pk)},
    )
    assert order.payments.get().checkout_url == url


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_start_payment_at_once_opens_one_session():
    order = awaiting_order()
    urls = run_together(
        [lambda: services.start_payment(order=Order.objects.get(pk=order.pk))] * 4
    )
    assert len(set(urls)) == 1, urls
    assert isinstance(urls[0], str), urls
    assert TestProviderSession.objects.count() == 1
    assert order.payments.get().checkout_url == urls[0]


# --- The buyer's pages --------------------------------------------------------


def test_the_order_page_of_an_awaiting_order_offers_pay_and_cancel(client, buyer):
    order = awaiting_order(buyer)
    pay_url = reverse("shop:order_pay", args=[order.pk])
    cancel_url = reverse("shop:order_cancel", args=[order.pk])
    html = client.get(order.get_absolute_url()).content.decode()
    assert f'action="{pay_url}"' in html
    assert f'action="{cancel_url}"' in html
    assert "waiting for your payment" in html

    response = client.post(pay_url)
    assert response["Location"] == services.start_payment(order=order)

    placed = pay(order)
    html = client.get(placed.get_absolute_url()).content.decode()
    assert pay_url not in html
    assert cancel_url not in html


def test_a_cancelled_order_cannot_be_paid(client, buyer):
    order = services.close_payment(order=awaiting_order(buyer))
    response = client.post(reverse("shop:order_pay", args=[order.pk]))
    assert response["Location"] == order.get_absolute_url()
    assert messages_of(response) == ["This order was cancelled; it can't be paid."]
    assert not TestProviderSession.objects.exists()


def test_the_return_page_waits_while_the_session_is_open(client, buyer):
    order = awaiting_order(buyer)
    services.start_payment(order=order)
    response = client.get(reverse("shop:payment_return", args=[order.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta http-equiv="refresh"' in html
    assert order.number in html
    assert reverse("shop:order_pay", args=[order.pk]) in html


def test_the_return_page_of_a_paid_order_shows_it_placed(client, buyer):
    order = awaiting_order(buyer)
    url = services.start_payment(order=order)
    TestPaymentProvider().pay(session_of(url), TEST_CARD)  # no webhook yet
    response = client.get(reverse("shop:payment_return", args=[order.pk]))
    assert response.status_code == 302
    assert response["Location"] == order.get_absolute_url()
    assert messages_of(response) == [f"Thank you! Your order {order.number} is placed."]
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_cancel_posted_twice_at_once_cancels_once(client, buyer):
    product = ProductFactory(stock_on_hand=4)
    order = awaiting_order(buyer, (product, 3))
    services.start_payment(order=order)

    responses = post_together(client, reverse("shop:order_cancel", args=[order.pk]))

    assert assert_same_result(responses) == order.get_absolute_url()
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert kinds(order).count(OrderEvent.Kind.CANCELLED) == 1
    assert stock(product) == [4]
    for response in responses:
        assert messages_of(response) == [f"Order {order.number} is cancelled."]


def test_someone_elses_order_pay_cancel_and_return_are_404(client, buyer):
    theirs = awaiting_order()
    for name, method in (
        ("shop:order_pay", client.post),
        ("shop:order_cancel", client.post),
        ("shop:payment_return", client.get),
    ):
        assert method(reverse(name, args=[theirs.pk])).status_code == 404, name
    theirs.refresh_from_db()
    assert theirs.status == Order.Status.AWAITING_PAYMENT
    assert not TestProviderSession.objects.exists()


def fields(row) -> dict:
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}


def test_the_plain_sql_reads_give_the_rows_the_orm_reads():
    """``buyer_order``, ``pending_payment`` and ``settle``'s locks read with
    plain SQL: every field as the ORM reads it, converters included (the
    phone number), the card payment and never the store credit one, and
    someone else's order not at all."""
    from shop import selectors
    from shop.services.payments import _lock_by_session

    buyer = UserFactory()
    order = awaiting_order(buyer, (ProductFactory(price=3000), 1), credit=1000)
    services.start_payment(order=order)
    orm_order = Order.objects.get(pk=order.pk)
    card = order.payments.exclude(provider=Payment.STORE_CREDIT).get()

    read = selectors.buyer_order(buyer=buyer, pk=order.pk)
    assert fields(read) == fields(orm_order)
    assert read.ship_to_phone == orm_order.ship_to_phone != ""
    assert type(read.ship_to_phone) is type(orm_order.ship_to_phone)
    with pytest.raises(Order.DoesNotExist):
        selectors.buyer_order(buyer=UserFactory(), pk=order.pk)

    assert fields(services.pending_payment(read)) == fields(card)
    with transaction.atomic():
        locked_order, locked_payment = _lock_by_session(card.provider, card.session_id)
        assert fields(locked_order) == fields(orm_order)
        assert fields(locked_payment) == fields(card)
        assert _lock_by_session(card.provider, "cs_none") == (None, None)
        assert _lock_by_session("other", card.session_id) == (None, None)


def test_an_order_id_beyond_the_database_s_integers_is_404_not_an_error(client, buyer):
    # The payment views read the order with plain SQL (``buyer_order``):
    # an id beyond a bigint (PostgreSQL compares it as a numeric) finds no
    # order, as the ORM's lookup does, not a database error.
    for name, method in (
        ("shop:order_pay", client.post),
        ("shop:order_cancel", client.post),
        ("shop:payment_return", client.get),
    ):
        assert method(reverse(name, args=[2**63])).status_code == 404, name


# --- After it is paid ---------------------------------------------------------


def test_a_pending_refund_is_resumed_without_refunding_twice(monkeypatch):
    """The provider made the refund but its answer was lost (a timeout):
    the refund stays pending, and asking again with its reference finishes
    it under the same key, so the money goes back once."""
    order = placed_order(None, (ProductFactory(price=3000), 2))
    line = order.lines.get()
    refund = TestPaymentProvider.refund

    def refunded_then_timed_out(provider, **kwargs):
        refund(provider, **kwargs)
        raise payments.ProviderUnavailable("read timed out")

    monkeypatch.setattr(TestPaymentProvider, "refund", refunded_then_timed_out)

    def ask():
        return services.refund_order_line(
            order_line=line, quantity=1, actor=None, reference="r-1", reason="Broken"
        )

    with pytest.raises(PaymentError, match="pending"):
        ask()
    assert Refund.objects.get().status == Refund.Status.PENDING
    assert TestProviderRefund.objects.count() == 1
    monkeypatch.undo()

    finished = ask()
    assert finished.status == Refund.Status.SUCCEEDED
    made = TestProviderRefund.objects.get()
    assert made.amount == 3000
    assert finished.parts.get().provider_reference == made.reference
    assert ask() == finished
    assert TestProviderRefund.objects.count() == 1
    assert kinds(order).count(OrderEvent.Kind.REFUNDED) == 1


def test_an_awaiting_order_cannot_be_shipped_nor_is_it_confirmed(
    django_capture_on_commit_callbacks,
):
    order = awaiting_order(None, (ProductFactory(), 2))
    line = order.lines.get()
    with pytest.raises(FulfilmentError, match="not paid"):
        services.create_shipment_for_remaining(order=order, actor=None)
    with pytest.raises(FulfilmentError, match="not paid"):
        services.create_shipment(order=order, quantities={line.pk: 1}, actor=None)
    assert not Shipment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert confirmations.send_pending() == 0
    assert mail.outbox == []


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_pay_now_pressed_twice_at_once_opens_one_payment_page(client, buyer):
    """Pay now twice at once (neither has opened the provider's page yet):
    both go to the same hosted page, opened once under the payment's key."""
    order = awaiting_order(buyer)

    responses = post_together(client, reverse("shop:order_pay", args=[order.pk]))

    page = assert_same_result(responses)
    assert page.startswith("/payments/test/checkout/")
    assert TestProviderSession.objects.count() == 1
    assert order.payments.get(status=Payment.Status.PENDING).checkout_url == page


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_paying_on_the_hosted_page_twice_at_once_charges_once(client, buyer, settings):
    """The provider's own page sent twice at once (a double click on Pay):
    one charge, and both are sent back to the shop, which shows the one
    order placed."""
    order = awaiting_order(buyer)
    page = services.start_payment(order=order)

    responses = post_together(client, page, {"card_number": TEST_CARD})

    assert assert_same_result(responses) == (
        settings.SITE_URL + reverse("shop:payment_return", args=[order.pk])
    )
    assert TestProviderCharge.objects.count() == 1
    back = client.get(reverse("shop:payment_return", args=[order.pk]))
    assert back["Location"] == order.get_absolute_url()
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED
    assert kinds(order).count(OrderEvent.Kind.PAID) == 1
