"""Staff see an order's money in the admin: its payment state, each payment
with its provider ids (linked to Stripe's dashboard), refunds and their
parts, and the provider's webhook events; and they check or cancel an
unpaid order, once however often they click."""

import json

import pytest
from django.urls import reverse

from shop import payments, services
from shop.admin import dashboard_url
from shop.exceptions import RefundRefused
from shop.models import (
    Order,
    OrderEvent,
    Payment,
    PaymentEvent,
    Product,
    Refund,
    TestProviderSession,
)
from shop.payments import TestPaymentProvider
from shop.pricing import format_money
from tests.concurrency import post_together
from tests.double_submit import assert_same_result, messages_of
from tests.payments.conftest import fake_stripe  # noqa: F401  (a fixture)
from tests.payments.fake_stripe import WEBHOOK_SECRET
from tests.queries import assert_same_queries, queries_for

from .factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    expected_total,
    pay,
    placed_order,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:shop_order_changelist"


def change_url(order: Order) -> str:
    return reverse("admin:shop_order_change", args=[order.pk])


def awaiting_order(*items, buyer=None, use_store_credit=False) -> Order:
    """An order placed at checkout whose card payment has not come: its
    session opened at the provider, as the buyer's browser would."""
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
    services.start_payment(order=order)
    return order


def card_payment(order: Order) -> Payment:
    return order.payments.exclude(provider=Payment.STORE_CREDIT).get()


def action(client, name: str, *orders: Order, **extra):
    return client.post(
        reverse(CHANGELIST),
        {"action": name, "_selected_action": [o.pk for o in orders], **extra},
    )


@pytest.fixture
def stripe_account(settings, fake_stripe):  # noqa: F811
    """The shop on Stripe, the real library talking to the fake Stripe."""
    settings.SHOP_PAYMENT_PROVIDER = "shop.payments.StripeProvider"
    settings.STRIPE_API_BASE = fake_stripe.base_url
    settings.STRIPE_SECRET_KEY = fake_stripe.api_key
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    return fake_stripe


def deliver_events(client, fake) -> list[str]:
    """The fake Stripe's queued events, posted signed to our webhook as
    Stripe posts them; what the shop answered to each."""
    events, fake.pending = fake.pending, []
    answers = []
    for event in events:
        payload = json.dumps(event)
        response = client.post(
            reverse("shop:payment_webhook", args=["stripe"]),
            payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=fake.sign(payload),
        )
        assert response.status_code == 200, response.content
        answers.append(response.content.decode())
    return answers


# --- What the order page shows -------------------------------------------------


@pytest.mark.parametrize(
    ("key", "dashboard"),
    [
        ("sk_test_51Abc", "https://dashboard.stripe.com/test/payments/"),
        ("rk_test_51Abc", "https://dashboard.stripe.com/test/payments/"),
        ("sk_live_51Abc", "https://dashboard.stripe.com/payments/"),
    ],
)
def test_a_stripe_payment_shows_its_ids_linked_to_the_dashboard_and_its_events(
    staff_client, stripe_account, settings, key, dashboard
):
    order = awaiting_order((ProductFactory(price=3000), 1))
    payment = card_payment(order)
    assert (payment.provider, payment.session_id[:8]) == ("stripe", "cs_test_")
    stripe_account.pay(payment.session_id)
    answers = deliver_events(staff_client, stripe_account)
    assert answers.count("placed the order") == 1, answers
    payment.refresh_from_db()
    intent = payment.reference
    assert intent.startswith("pi_")

    settings.STRIPE_SECRET_KEY = key  # the account the shop is connected to
    page = staff_client.get(change_url(order)).content.decode()

    link = f'href="{dashboard}{intent}"'
    assert dashboard_url(payment) == dashboard + intent
    # The session and the PaymentIntent both lead to the payment on Stripe.
    assert f"{link} {_NEW_TAB}>{payment.session_id}</a>" in page
    assert f"{link} {_NEW_TAB}>{intent}</a>" in page
    assert "Paid: placed" in page
    assert "Captured" in page
    assert "¥3,600" in page  # with shipping
    # Only the session's event is about this order's payment.
    event = PaymentEvent.objects.get(payment=payment)
    assert event.event_id in page
    others = PaymentEvent.objects.exclude(pk=event.pk)
    assert others and not any(e.event_id in page for e in others)
    assert reverse("admin:shop_paymentevent_change", args=[event.pk]) in page
    assert "checkout.session.completed" in page
    assert "placed the order" in page


_NEW_TAB = 'target="_blank" rel="noopener noreferrer"'


def test_an_order_awaiting_payment_on_the_test_provider_shows_its_session_unlinked(
    staff_client, settings
):
    settings.STRIPE_SECRET_KEY = "sk_test_51Abc"
    order = awaiting_order()
    payment = card_payment(order)
    page = staff_client.get(change_url(order)).content.decode()
    assert "Awaiting payment at the provider" in page
    assert payment.session_id in page
    assert "dashboard.stripe.com" not in page  # the test provider has none
    assert "None received" in page  # no webhook event yet
    # Nothing to ship before it is paid.
    assert reverse("admin:shop_order_ship", args=[order.pk]) not in page


def test_a_cancelled_order_says_so(staff_client):
    order = awaiting_order()
    services.close_payment(order=order)
    page = staff_client.get(change_url(order)).content.decode()
    assert "Cancelled unpaid" in page
    assert "Failed" in page  # its card payment


def test_staff_cannot_edit_payments_or_events_by_hand(staff_client):
    order = placed_order()
    payment = order.payments.get()
    services.handle_event(
        provider_name="test",
        event=payments.Event(
            id="evt_hand",
            type="checkout.session.completed",
            session=payments.CheckoutSession(id=payment.session_id, status="paid"),
        ),
    )
    page = staff_client.get(change_url(order)).content.decode()
    # The payments inline is shown, not a form: no field of a payment row.
    assert 'name="payments-0-status"' not in page
    assert 'name="payments-0-amount"' not in page
    # A crafted post of the order's form changes no payment either.
    staff_client.post(
        change_url(order),
        {
            "payments-TOTAL_FORMS": "1",
            "payments-INITIAL_FORMS": "1",
            "payments-0-id": payment.pk,
            "payments-0-status": "refunded",
            "payments-0-amount": "1",
        },
    )
    payment.refresh_from_db()
    assert (payment.status, payment.amount) == (Payment.Status.CAPTURED, order.total)

    event = PaymentEvent.objects.get()
    event_url = reverse("admin:shop_paymentevent_change", args=[event.pk])
    event_page = staff_client.get(event_url).content.decode()
    assert "already paid" in event_page  # its outcome, shown
    assert 'name="_save"' not in event_page
    assert staff_client.post(event_url, {"outcome": "x"}).status_code == 403
    add = reverse("admin:shop_paymentevent_add")
    assert staff_client.get(add).status_code == 403
    delete = reverse("admin:shop_paymentevent_delete", args=[event.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert PaymentEvent.objects.get().outcome == "already paid"


def test_refunds_show_each_tender_with_the_providers_id_and_a_refusal(
    staff_client,
):
    buyer = UserFactory()
    services.issue_store_credit(
        user=buyer, amount=1000, reason="Welcome", actor=None, reference="w"
    )
    product = ProductFactory(price=2000)
    order = pay(awaiting_order((product, 2), buyer=buyer, use_store_credit=True))
    line = order.lines.get()
    # 4,600 with shipping: 1,000 credit, 3,600 card. One unit back: card.
    first = services.refund_order_line(
        order_line=line, quantity=1, actor=None, reference="r1", reason="Broken"
    )
    [part] = first.parts.all()
    assert part.provider_reference.startswith("test_re_")
    # Refunded on the provider's side meanwhile: the next is refused.
    TestPaymentProvider().refund(
        reference=card_payment(order).reference, amount=1600, idempotency_key="dash"
    )
    with pytest.raises(RefundRefused):
        services.refund_order_line(
            order_line=line, quantity=1, actor=None, reference="r2", reason="Late"
        )

    page = staff_client.get(change_url(order)).content.decode()
    assert f"Card ¥2,000 ({part.provider_reference})" in page
    assert "Card ¥1,600, Store credit ¥400" in page  # the refused one's split
    assert "more than the ¥0 left" in page
    assert "Refund refused" in page


# --- The order list ------------------------------------------------------------


def test_the_order_list_filters_unpaid_orders_and_refused_refunds(
    staff_client, settings
):
    waiting = awaiting_order()
    cancelled = services.close_payment(order=awaiting_order())
    paid = placed_order()
    refused = placed_order()
    TestPaymentProvider().refund(
        reference=refused.payments.get().reference,
        amount=refused.total,
        idempotency_key="dash",
    )
    with pytest.raises(RefundRefused):
        services.refund_order_line(
            order_line=refused.lines.get(),
            quantity=1,
            actor=None,
            reference="r",
            reason="x",
        )

    def listed(**params) -> set[int]:
        response = staff_client.get(reverse(CHANGELIST), params)
        assert response.status_code == 200
        return {o.pk for o in response.context["cl"].result_list}

    assert listed(status="awaiting_payment") == {waiting.pk}
    assert listed(status="cancelled") == {cancelled.pk}
    assert listed(payment="awaiting") == {waiting.pk}
    assert listed(payment="refund_failed") == {refused.pk}
    assert listed(payment="overdue") == set()
    settings.SHOP_PAYMENT_MINUTES = -1  # every wait is now too long
    assert listed(payment="overdue") == {waiting.pk}
    # Stripe's ids find the order.
    assert listed(q=card_payment(waiting).session_id) == {waiting.pk}
    assert listed(q=paid.payments.get().reference) == {paid.pk}


# --- Check payment and cancel unpaid order ------------------------------------------


def test_check_payment_places_an_order_paid_at_the_provider_without_a_webhook(
    staff_client,
):
    paid_there = awaiting_order()
    not_paid = awaiting_order()
    already = placed_order()
    # Paid on the hosted page; the webhook never came (none is set in tests).
    TestPaymentProvider().pay(card_payment(paid_there).session_id, "4242424242424242")

    response = action(staff_client, "check_payment", paid_there, not_paid, already)

    assert response.status_code == 302
    assert messages_of(response) == [
        f"{paid_there} is paid.",
        f"{not_paid} is still awaiting payment.",
        f"{already} is paid.",
    ]
    paid_there.refresh_from_db()
    not_paid.refresh_from_db()
    assert (paid_there.status, not_paid.status) == ("placed", "awaiting_payment")
    assert paid_there.events.filter(kind=OrderEvent.Kind.PAID).count() == 1


def test_cancel_unpaid_asks_first_then_closes_the_page_and_gives_the_stock_back(
    staff_client,
):
    product = ProductFactory(stock_on_hand=5)
    order = awaiting_order((product, 2))
    other = placed_order()
    assert Product.objects.get(pk=product.pk).stock_on_hand == 3

    asked = action(staff_client, "cancel_unpaid", order, other)

    assert asked.status_code == 200
    text = asked.content.decode()
    assert "Cancel unpaid orders?" in text
    assert str(order) in text
    assert f"{other} · Placed" in text  # listed as left alone
    assert format_money(order.total) in text
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_PAYMENT  # nothing yet

    done = action(staff_client, "cancel_unpaid", order, other, confirmed="1")

    assert done.status_code == 302
    assert messages_of(done) == [f"{order} is cancelled.", f"{other} is paid."]
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert Product.objects.get(pk=product.pk).stock_on_hand == 5
    session = TestProviderSession.objects.get(reference=card_payment(order).session_id)
    assert session.status == TestProviderSession.Status.EXPIRED  # can't be paid
    cancelled = order.events.get(kind=OrderEvent.Kind.CANCELLED)
    assert cancelled.actor.is_staff


def test_cancel_unpaid_keeps_an_order_the_customer_paid_just_before(staff_client):
    order = awaiting_order()
    TestPaymentProvider().pay(card_payment(order).session_id, "4242424242424242")
    response = action(staff_client, "cancel_unpaid", order, confirmed="1")
    assert messages_of(response) == [f"{order} is paid."]
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


def test_the_actions_say_when_the_provider_cannot_be_reached(
    staff_client, stripe_account, settings
):
    order = awaiting_order()
    stripe_account.fail_next(503)  # Stripe fails the expire call
    response = action(staff_client, "cancel_unpaid", order, confirmed="1")
    assert messages_of(response) == [
        f"{order}: the payment provider could not be reached; try again shortly."
    ]
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nobody answers there
    response = action(staff_client, "check_payment", order)
    assert "could not be reached" in messages_of(response)[0]
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_PAYMENT


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_cancel_unpaid_confirmed_twice_at_once_cancels_once(staff_client):
    product = ProductFactory(stock_on_hand=4)
    order = awaiting_order((product, 1))
    responses = post_together(
        staff_client,
        reverse(CHANGELIST),
        {"action": "cancel_unpaid", "_selected_action": [order.pk], "confirmed": "1"},
    )
    assert_same_result(responses)
    assert [messages_of(r) for r in responses] == [[f"{order} is cancelled."]] * 2
    assert order.events.filter(kind=OrderEvent.Kind.CANCELLED).count() == 1
    assert Product.objects.get(pk=product.pk).stock_on_hand == 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_check_payment_twice_at_once_places_the_order_once(staff_client):
    order = awaiting_order()
    TestPaymentProvider().pay(card_payment(order).session_id, "4242424242424242")
    responses = post_together(
        staff_client,
        reverse(CHANGELIST),
        {"action": "check_payment", "_selected_action": [order.pk]},
    )
    assert_same_result(responses)
    assert [messages_of(r) for r in responses] == [[f"{order} is paid."]] * 2
    assert order.events.filter(kind=OrderEvent.Kind.PAID).count() == 1


# --- Query counts ------------------------------------------------------------------


def _busy_order(size: int) -> Order:
    """A paid order with ``size`` lines, each refunded once (every other
    refund refused), and ``size`` events from the provider."""
    order = placed_order(None, *[(ProductFactory(price=1000), 1) for _ in range(size)])
    payment = order.payments.get()
    for number in range(size):
        services.handle_event(
            provider_name="test",
            event=payments.Event(
                id=f"evt_{order.pk}_{number}",
                type="checkout.session.completed",
                session=payments.CheckoutSession(id=payment.session_id, status="open"),
            ),
        )
    for number, line in enumerate(order.lines.all()):
        if number % 2:
            Refund.objects.create(
                order=order,
                order_line=line,
                quantity=1,
                amount=1000,
                method=Refund.Method.CARD,
                status=Refund.Status.FAILED,
                reference=f"refused-{line.pk}",
                reason="x",
                failure_message="No.",
            ).parts.create(payment=payment, amount=1000)
        else:
            services.refund_order_line(
                order_line=line, quantity=1, actor=None, reference=f"r{line.pk}",
                reason="x",
            )  # fmt: skip
    return order


def test_the_order_page_costs_the_same_with_many_payments_refunds_and_events(
    staff_client,
):
    small, large = _busy_order(1), _busy_order(8)
    assert PaymentEvent.objects.filter(payment__order=large).count() == 8
    assert_same_queries(
        queries_for(staff_client, change_url(small)),
        queries_for(staff_client, change_url(large)),
    )


def test_the_order_list_and_the_event_list_cost_the_same_at_any_length(
    staff_client,
):
    _busy_order(1)
    events = reverse("admin:shop_paymentevent_changelist")
    orders = reverse(CHANGELIST)
    few = (queries_for(staff_client, orders), queries_for(staff_client, events))
    for _ in range(4):
        _busy_order(2)
        awaiting_order()
    many = (queries_for(staff_client, orders), queries_for(staff_client, events))
    assert_same_queries(few[0], many[0])
    assert_same_queries(few[1], many[1])


def test_the_event_list_finds_an_event_by_its_id_and_filters_by_type(staff_client):
    order = _busy_order(2)
    url = reverse("admin:shop_paymentevent_changelist")
    wanted = f"evt_{order.pk}_1"
    response = staff_client.get(url, {"q": wanted})
    assert [e.event_id for e in response.context["cl"].result_list] == [wanted]
    assert str(order) in response.content.decode()  # linked to its order
    response = staff_client.get(url, {"type": "checkout.session.expired"})
    assert list(response.context["cl"].result_list) == []
    response = staff_client.get(url, {"provider": "test"})
    assert len(response.context["cl"].result_list) == 2
