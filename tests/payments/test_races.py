"""The races of issue #15, each in the ordering that broke another shop, on
Stripe: the real ``stripe`` library over HTTP to the fake Stripe, whose
signed webhook events arrive over HTTP at the live server, at the moment
(and as often) the race needs.

Every test ends with ``assert_books``: 0 duplicate charges, 0 lost orders,
0 orders settled twice, 0 oversold units.
"""

import pytest
from django.urls import reverse

from shop import services
from shop.exceptions import PaymentError
from shop.models import (
    Cart,
    Order,
    OrderEvent,
    Payment,
    PaymentEvent,
    Product,
    Refund,
)
from shop.payments import stripe_checkout
from shop.selectors import store_credit_balance
from tests.concurrency import post_together, run_together, twin_clients
from tests.double_submit import assert_same_result, messages_of
from tests.shop.factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    checkout_form,
)

from .books import (
    DECLINED,
    assert_books,
    awaiting_order,
    card_payment,
    opened,
    refreshed,
    session_id,
    webhook_url,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def shopper(client):
    """A signed-in buyer with a default address and a cart of two units of
    a product with five in stock: ``(client, cart, address, product)``."""
    buyer = UserFactory()
    client.force_login(buyer)
    address = AddressFactory(user=buyer, is_default=True)
    product = ProductFactory(stock_on_hand=5, price=1800)
    return client, cart_with(buyer, (product, 2)), address, product


def checked_out(client, cart, address) -> tuple[Order, str]:
    """The checkout form posted: the order, and the Stripe page it sent the
    buyer to."""
    response = client.post(reverse("shop:checkout"), checkout_form(cart, address))
    order = Order.objects.get(cart=cart)
    assert response.status_code == 302
    assert response["Location"] == card_payment(order).checkout_url
    return order, response["Location"]


def return_page(order: Order) -> str:
    return reverse("shop:payment_return", args=[order.pk])


def session_creates(fake) -> list[dict]:
    return [
        r
        for r in fake.requests
        if r["method"] == "POST" and r["path"] == "/v1/checkout/sessions"
    ]


def test_saleor_19220_checkout_completion_racing_the_webhook_opens_no_second_session(
    stripe_shop, live_server, shopper
):
    """Saleor #19220: the webhook and the checkout's completion raced, and
    the completion made a second PaymentIntent. Here every way into the
    payment (the checkout form posted three times at once, the Pay button
    pressed twice at once, then both again and ``start_payment`` while the
    webhook places the order) gets the one session, by the idempotency key
    made from our payment's row."""
    fake = stripe_shop
    client, cart, address, product = shopper
    responses = post_together(
        client, reverse("shop:checkout"), checkout_form(cart, address), times=3
    )
    order = Order.objects.get()
    url = assert_same_result(responses)
    sid = session_id(order)
    assert url == fake.objects[sid]["url"]

    pay = reverse("shop:order_pay", args=[order.pk])
    assert assert_same_result(post_together(client, pay, times=2)) == url

    fake.pay(sid)
    form_again, pay_again = twin_clients(client)
    hook, *others = run_together(
        [
            lambda: fake.flush(webhook_url(live_server)),
            lambda: pay_again.post(pay),
            lambda: form_again.post(
                reverse("shop:checkout"), checkout_form(cart, address)
            ),
            lambda: services.start_payment(order=order),
        ]
    )
    assert hook == [200, 200]
    for response in others[:2]:
        assert response.status_code == 302, response
        assert response["Location"] in (url, order.get_absolute_url())
    assert others[2] in (url, None)
    assert refreshed(order).status == Order.Status.PLACED
    # Placed: nothing is opened at Stripe any more.
    assert services.start_payment(order=refreshed(order)) is None
    response = client.post(pay)
    assert response["Location"] == order.get_absolute_url()

    assert len(fake.of_type("checkout.session")) == 1
    assert len(fake.of_type("payment_intent")) == 1
    assert {r["key"] for r in session_creates(fake)} == {
        card_payment(order).idempotency_key
    }
    assert_books(fake, {product: 5})


@pytest.mark.parametrize(
    "ordering", ["at the same moment", "return page first", "webhook first"]
)
def test_woocommerce_stripe_890_the_return_page_check_races_the_webhook(
    stripe_shop, live_server, shopper, ordering
):
    """WooCommerce Stripe #890: the return page's check of the payment and
    the webhook arrived together and both acted. Here whichever comes first
    places the order and the other finds it placed: one "paid" entry, one
    confirmation, and the buyer thanked either way."""
    fake = stripe_shop
    client, cart, address, product = shopper
    order, _ = checked_out(client, cart, address)
    fake.pay(session_id(order))

    def back():
        return client.get(return_page(order))

    def hook():
        return fake.flush(webhook_url(live_server))

    if ordering == "at the same moment":
        response, statuses = run_together([back, hook])
    elif ordering == "return page first":
        response, statuses = back(), hook()
    else:
        statuses, response = hook(), back()

    assert statuses == [200, 200]
    assert response.status_code == 302
    assert response["Location"] == order.get_absolute_url()
    assert any("Thank you" in m for m in messages_of(response))
    assert refreshed(order).status == Order.Status.PLACED
    completed = PaymentEvent.objects.get(type="checkout.session.completed")
    assert completed.outcome in ("placed the order", "already paid")
    if ordering == "webhook first":
        assert completed.outcome == "placed the order"
    if ordering == "return page first":
        assert completed.outcome == "already paid"
    assert_books(fake, {product: 5})


@pytest.mark.parametrize("library_retries", [0, 2])
@pytest.mark.parametrize("failure", ["timeout", "500"])
def test_woocommerce_stripe_3725_a_retry_after_a_timeout_charges_once(
    stripe_shop, live_server, shopper, settings, failure, library_retries
):
    """WooCommerce Stripe #3725: a request that timed out was retried as a
    new one and the customer was charged twice. Here Stripe does the work
    and answers too late (or answers 500 before doing it); the retry, ours
    (the buyer pressing Pay again) or the library's own
    (``STRIPE_MAX_NETWORK_RETRIES``), carries the same key from our row and
    gets the one session, paid once."""
    fake = stripe_shop
    settings.STRIPE_TIMEOUT_SECONDS = 0.5
    settings.STRIPE_MAX_NETWORK_RETRIES = library_retries
    stripe_checkout._client.cache_clear()
    client, cart, address, product = shopper
    if failure == "timeout":
        fake.stall_next(2)  # the session is made, the answer comes too late
    else:
        fake.fail_next(500)

    response = client.post(reverse("shop:checkout"), checkout_form(cart, address))
    order = Order.objects.get()
    if library_retries:
        # The library tried again by itself, with the same key.
        assert response["Location"] == card_payment(order).checkout_url != ""
    else:
        assert response["Location"] == order.get_absolute_url()
        assert any("press Pay to try again" in m for m in messages_of(response))
        assert not card_payment(order).session_id
        response = client.post(reverse("shop:order_pay", args=[order.pk]))
    url = response["Location"]
    assert url == card_payment(order).checkout_url

    creates = session_creates(fake)
    assert len(creates) == 2
    assert {r["key"] for r in creates} == {card_payment(order).idempotency_key}
    assert creates[0]["params"] == creates[1]["params"]
    assert len(fake.of_type("checkout.session")) == 1

    fake.pay(session_id(order))
    assert fake.flush(webhook_url(live_server)) == [200, 200]
    assert refreshed(order).status == Order.Status.PLACED
    assert_books(fake, {product: 5})


def test_woocommerce_stripe_3725_a_refund_retried_after_a_timeout_refunds_once(
    stripe_shop, live_server, settings
):
    """WooCommerce Stripe #3725, for refunds: Stripe refunded, the answer
    timed out, the refund was asked for again. The refund stays pending,
    and asking again with its reference sends the same key: one refund."""
    fake = stripe_shop
    settings.STRIPE_TIMEOUT_SECONDS = 0.5
    stripe_checkout._client.cache_clear()
    product = ProductFactory(stock_on_hand=5, price=2000)
    order = awaiting_order(None, (product, 3))
    fake.pay(opened(order))
    assert fake.flush(webhook_url(live_server)) == [200, 200]
    line = order.lines.get()
    payment = card_payment(order)

    fake.stall_next(2)
    with pytest.raises(PaymentError, match="pending"):
        services.refund_order_line(
            order_line=line, quantity=1, actor=None, reference="r-1", reason="Dented"
        )
    assert Refund.objects.get().status == Refund.Status.PENDING
    refund = services.refund_order_line(
        order_line=line, quantity=1, actor=None, reference="r-1", reason="Dented"
    )
    assert refund.status == Refund.Status.SUCCEEDED
    refunds = [r for r in fake.requests if r["path"] == "/v1/refunds"]
    assert {r["key"] for r in refunds} == {f"refund-{refund.pk}-{payment.pk}"}
    assert len(refunds) == 2
    [made] = fake.of_type("refund")
    assert made["amount"] == 2000
    assert fake.objects[made["charge"]]["amount_refunded"] == 2000
    assert refund.parts.get().provider_reference == made["id"]
    assert_books(fake, {product: 5})


def test_medusa_13301_4798_the_webhook_and_the_confirmation_both_complete_the_cart(
    stripe_shop, live_server, shopper
):
    """Medusa #13301 and #4798: the webhook and the storefront's
    confirmation both completed the cart, and one failed on a duplicate key
    (409, 500). Here, at the same moment: Stripe's two success events for
    the session, the buyer's return page and the checkout form posted again
    for the same cart. Every one answers normally (200, redirects), and
    there is one order."""
    fake = stripe_shop
    client, cart, address, product = shopper
    order, page = checked_out(client, cart, address)
    sid = session_id(order)
    fake.pay(sid)
    [completed] = [e for e in fake.pending if e["type"] == "checkout.session.completed"]
    succeeded = fake.event(
        "checkout.session.async_payment_succeeded", fake.objects[sid]
    )
    url = webhook_url(live_server)
    back, form = twin_clients(client)
    *hooks, returned, posted = run_together(
        [
            lambda: fake.deliver(completed, url),
            lambda: fake.deliver(succeeded, url),
            lambda: back.get(return_page(order)),
            lambda: form.post(reverse("shop:checkout"), checkout_form(cart, address)),
        ]
    )
    assert hooks == [200, 200]
    assert {d["status"] for d in fake.deliveries} == {200}  # none retried
    assert returned.status_code == 302, returned
    assert returned["Location"] == order.get_absolute_url()
    # The form, if it came before the order was placed, goes to the one
    # (paid) session again; after, to the order.
    assert posted.status_code == 302, posted
    assert posted["Location"] in (page, order.get_absolute_url())
    assert Order.objects.count() == 1
    assert Cart.objects.get(pk=cart.pk).status == Cart.Status.ORDERED
    assert refreshed(order).status == Order.Status.PLACED
    outcomes = sorted(PaymentEvent.objects.values_list("outcome", flat=True))
    assert outcomes.count("placed the order") <= 1
    assert set(outcomes) <= {"placed the order", "already paid"}
    assert_books(fake, {product: 5})


LATE_FAILURES = [
    ("payment_intent.payment_failed", "after the success"),
    ("payment_intent.payment_failed", "before the success"),
    ("payment_intent.payment_failed", "at the same moment"),
    ("checkout.session.expired", "after the success"),
    ("checkout.session.async_payment_failed", "after the success"),
]


@pytest.mark.parametrize(("failure", "when"), LATE_FAILURES)
def test_polar_14274_a_late_failure_event_never_overrides_the_success(
    stripe_shop, live_server, client, failure, when
):
    """Polar #14274: the failure event of an earlier attempt arrived after
    the later success and undid it. Here the buyer's first card is declined
    and the second pays; the failure (of that first card, or an expired or
    failed event for the session) arrives after, before or with the
    success, and the order stays placed, its stock held, nothing refunded.
    """
    fake = stripe_shop
    product = ProductFactory(stock_on_hand=5)
    buyer = UserFactory()
    client.force_login(buyer)
    order = awaiting_order(buyer, (product, 2))
    sid = opened(order)
    fake.pay(sid, card=DECLINED)
    fake.pay(sid)
    url = webhook_url(live_server)
    events = {e["type"]: e for e in fake.pending}
    fake.pending.clear()
    success = [events["payment_intent.succeeded"], events["checkout.session.completed"]]
    if failure == "payment_intent.payment_failed":
        late = events[failure]
    else:
        state = {"status": "expired", "payment_status": "unpaid"}
        if failure == "checkout.session.async_payment_failed":
            state["status"] = "complete"
        late = fake.event(failure, {**fake.objects[sid], **state})

    if when == "at the same moment":
        statuses = run_together([lambda e=e: fake.deliver(e, url) for e in success])
        statuses += run_together([lambda: fake.deliver(late, url)])
    elif when == "before the success":
        statuses = [fake.deliver(e, url) for e in [late, *success]]
    else:
        statuses = [fake.deliver(e, url) for e in [*success, late]]
    assert statuses == [200, 200, 200]
    response = client.get(return_page(order))  # the buyer's return, last

    order = refreshed(order)
    assert order.status == Order.Status.PLACED
    assert card_payment(order).status == Payment.Status.CAPTURED
    assert not order.events.filter(kind=OrderEvent.Kind.CANCELLED).exists()
    assert Product.objects.get(pk=product.pk).stock_on_hand == 3
    assert not fake.of_type("refund")
    assert PaymentEvent.objects.get(event_id=late["id"]).outcome in (
        "not acted on",
        "already settled",
    )
    assert response["Location"] == order.get_absolute_url()
    assert_books(fake, {product: 5})


@pytest.mark.parametrize(
    "event_type", ["checkout.session.completed", "checkout.session.expired"]
)
def test_vendure_pinelab_620_the_same_event_three_times_at_once_settles_once(
    stripe_shop, live_server, event_type
):
    """vendure (Pinelab) #620: one event delivered three times at the same
    moment settled the order three times. Here the three deliveries all get
    200; the event has one row, and the order is placed once (one "paid"
    entry, one confirmation) or cancelled once (its stock and store credit
    given back once)."""
    fake = stripe_shop
    product = ProductFactory(stock_on_hand=5, price=2500)
    buyer = UserFactory()
    services.issue_store_credit(
        user=buyer, amount=1000, reason="Welcome", actor=None, reference="welcome"
    )
    order = awaiting_order(buyer, (product, 2), use_store_credit=True)
    assert store_credit_balance(user=buyer) == 0
    sid = opened(order)
    if event_type == "checkout.session.completed":
        fake.pay(sid)
    else:
        fake.expire(sid)
    [event] = [e for e in fake.pending if e["type"] == event_type]

    statuses = fake.deliver(event, webhook_url(live_server), times=3, concurrently=True)

    assert statuses == [200, 200, 200]
    record = PaymentEvent.objects.get()
    assert (record.event_id, record.payment) == (event["id"], card_payment(order))
    order = refreshed(order)
    if event_type == "checkout.session.completed":
        assert record.outcome == "placed the order"
        assert order.status == Order.Status.PLACED
        assert store_credit_balance(user=buyer) == 0
    else:
        assert record.outcome == "cancelled the order"
        assert order.status == Order.Status.CANCELLED
        assert order.events.filter(kind=OrderEvent.Kind.CANCELLED).count() == 1
        assert store_credit_balance(user=buyer) == 1000
    assert_books(fake, {product: 5})


@pytest.mark.parametrize("outcome", ["paid", "expired"])
def test_pretix_1189_polling_and_the_webhook_race(
    stripe_shop, live_server, shopper, outcome
):
    """pretix #1189: the page that polls for the payment and the webhook
    settled the order at the same time. Here the processing page polls
    (and waits, settling nothing) before the buyer pays; then three polls
    and the webhook arrive together: one of them places (or cancels) the
    order, the others find it done, and every poll lands on the order."""
    fake = stripe_shop
    client, cart, address, product = shopper
    order, _ = checked_out(client, cart, address)
    sid = session_id(order)

    waiting = client.get(return_page(order))
    assert waiting.status_code == 200
    assert "shop/payment_processing.html" in [t.name for t in waiting.templates]
    assert refreshed(order).status == Order.Status.AWAITING_PAYMENT
    assert not fake.pending

    if outcome == "paid":
        fake.pay(sid)
    else:
        fake.expire(sid)  # the buyer left; Stripe's clock closed the page
    polls = [
        lambda twin=twin: twin.get(return_page(order))
        for twin in twin_clients(client, 3)
    ]
    *responses, statuses = run_together(
        [*polls, lambda: fake.flush(webhook_url(live_server))]
    )

    assert set(statuses) == {200}
    for response in responses:
        assert response.status_code == 302, response
        assert response["Location"] == order.get_absolute_url()
    order = refreshed(order)
    if outcome == "paid":
        assert order.status == Order.Status.PLACED
    else:
        assert order.status == Order.Status.CANCELLED
        assert order.events.filter(kind=OrderEvent.Kind.CANCELLED).count() == 1
        assert Product.objects.get(pk=product.pk).stock_on_hand == 5
    assert_books(fake, {product: 5})


def test_a_late_event_for_a_paid_session_during_a_refund_does_not_deadlock(
    stripe_shop, live_server
):
    """Found here, not upstream: a late event for a session already paid
    (a second success, an expiry) settles under the payment's and the
    order's locks while an agent's refund of the order writes its parts
    under the order's lock, then the payment's. Taken in opposite orders,
    PostgreSQL killed one of them as a deadlock (a 500 for the agent or
    for Stripe); settle() now takes the order's first, as every other
    writer does. Ten rounds, each at the same moment."""
    fake = stripe_shop
    mugs, cups = ProductFactory(price=100), ProductFactory(price=100)
    order = awaiting_order(None, (mugs, 10), (cups, 10))
    sid = opened(order)
    fake.pay(sid)
    assert fake.flush(webhook_url(live_server)) == [200, 200]
    line = order.lines.get(product=mugs)
    url = webhook_url(live_server)
    paid = fake.objects[sid]
    late = [
        ("checkout.session.async_payment_succeeded", paid),
        ("checkout.session.expired", {**paid, "status": "expired"}),
    ]

    for round in range(10):
        event = fake.event(*late[round % 2])
        status, refund = run_together(
            [
                lambda event=event: fake.deliver(event, url),
                lambda round=round: services.refund_order_line(
                    order_line=line,
                    quantity=1,
                    actor=None,
                    reference=f"case-{round}",
                    reason="Chipped",
                ),
            ]
        )
        assert status == 200
        assert isinstance(refund, Refund), refund
        assert refund.status == Refund.Status.SUCCEEDED

    assert {d["status"] for d in fake.deliveries} == {200}  # none retried
    assert PaymentEvent.objects.filter(outcome="already paid").count() == 5
    assert PaymentEvent.objects.filter(outcome="already settled").count() == 5
    assert sum(r["amount"] for r in fake.of_type("refund")) == 1000
    assert refreshed(order).status == Order.Status.PLACED
    assert_books(fake, {mugs: 10, cups: 10})


@pytest.mark.parametrize(
    "ordering", ["cancel first", "pay first", "at the same moment"]
)
def test_the_buyer_cancelling_as_they_pay_never_keeps_money_for_a_cancelled_order(
    stripe_shop, live_server, shopper, ordering
):
    """The buyer presses Cancel in one tab as they pay in another. Stripe
    closes the session first or takes the payment first, never both:
    closed, the payment is refused and the order cancelled with its stock
    back; paid, the cancel finds it paid and the order stays placed."""
    fake = stripe_shop
    client, cart, address, product = shopper
    order, _ = checked_out(client, cart, address)
    sid = session_id(order)

    def cancel():
        return client.post(reverse("shop:order_cancel", args=[order.pk]))

    def pay():
        try:
            return fake.pay(sid)
        except ValueError as closed:  # "session ... is expired"
            return closed

    if ordering == "at the same moment":
        cancelled, paid = run_together([cancel, pay])
    elif ordering == "cancel first":
        cancelled, paid = cancel(), pay()
        assert isinstance(paid, ValueError)
    else:
        paid, cancelled = pay(), cancel()
    assert set(fake.flush(webhook_url(live_server))) <= {200}

    assert cancelled.status_code == 302
    order = refreshed(order)
    if isinstance(paid, ValueError):
        assert order.status == Order.Status.CANCELLED
        assert not fake.of_type("charge")
        assert Product.objects.get(pk=product.pk).stock_on_hand == 5
    else:
        assert paid["payment_status"] == "paid"
        assert order.status == Order.Status.PLACED
        assert any("stays placed" in m for m in messages_of(cancelled))
    assert_books(fake, {product: 5})
