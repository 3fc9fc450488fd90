"""The statements of our requests in a payment on Stripe Checkout (the fake
Stripe, through the real library): the webhook and the buyer's return page,
in both orders of their race. ``make bench`` sends them by the thousand."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shop.models import Order, OrderEvent, PaymentEvent
from tests.queries import sql_of
from tests.shop.factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    checkout_form,
)

from .fake_stripe import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db
WEBHOOK = "/payments/stripe/webhook/"


@pytest.fixture
def buyer(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def stripe(settings, fake_stripe):
    settings.SHOP_PAYMENT_PROVIDER = "shop.payments.StripeProvider"
    settings.STRIPE_API_BASE = fake_stripe.base_url
    settings.STRIPE_SECRET_KEY = fake_stripe.api_key
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return fake_stripe


def statements(call) -> tuple:
    """The response, and each statement as "VERB table"; the test's own
    transaction turns ours into savepoints, which are left out."""
    with CaptureQueriesContext(connection) as captured:
        response = call()
    found = []
    for query in captured.captured_queries:
        sql = sql_of(query)
        if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            continue
        verb = sql.split()[0]
        table = re.search(r'(?:FROM|INTO|UPDATE) "?(\w+)"?', sql).group(1)
        found.append(f"{verb} {table}")
    return response, found


def paid_order(client, buyer, stripe) -> tuple[Order, dict]:
    """An order checked out and paid on the fake's hosted page, and the
    ``checkout.session.completed`` event Stripe would deliver for it."""
    cart = cart_with(buyer, (ProductFactory(stock_on_hand=10), 1))
    form = checkout_form(cart, AddressFactory(user=buyer))
    response = client.post(reverse("shop:checkout"), form)
    assert response["Location"].startswith(f"{stripe.base_url}/pay/")
    session = stripe.pay(response["Location"].rsplit("/", 1)[1])
    (event,) = (e for e in stripe.pending if e["type"] == "checkout.session.completed")
    stripe.pending.clear()
    return Order.objects.get(pk=session["client_reference_id"]), event


def deliver(client, stripe, event):
    payload = json.dumps(event)
    return client.post(
        WEBHOOK,
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe.sign(payload),
    )


def come_back(client, order):
    return client.get(reverse("shop:payment_return", args=[order.pk]))


def test_the_webhook_places_the_order_in_seven_statements(client, buyer, stripe):
    order, event = paid_order(client, buyer, stripe)

    response, found = statements(lambda: deliver(client, stripe, event))

    assert response.status_code == 200
    assert response.content == b"placed the order"
    assert found == [
        "INSERT shop_paymentevent",  # the event's id, once
        "SELECT shop_order",  # locked first, by its payment's session
        "SELECT shop_payment",  # locked
        "UPDATE shop_payment",
        "UPDATE shop_order",
        "INSERT shop_orderevent",
        # hooks.order_paid: no statement, the gifts app's receiver looks for
        # a gift's units only in an order shipped hidden from its buyer.
        "UPDATE shop_paymentevent",  # what it did
    ]
    # The buyer back after it: the order, placed, with no call to Stripe.
    calls = len(stripe.requests)
    response, found = statements(lambda: come_back(client, order))
    assert response["Location"] == order.get_absolute_url()
    assert found == ["SELECT shop_user", "SELECT shop_order"]
    assert len(stripe.requests) == calls
    # Delivered again: one statement, nothing done.
    response, found = statements(lambda: deliver(client, stripe, event))
    assert response.content == b"already handled"
    assert found == ["INSERT shop_paymentevent"]
    assert PaymentEvent.objects.get().outcome == "placed the order"
    assert (
        OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.PAID).count() == 1
    )


def test_the_return_page_places_the_order_when_it_comes_first(client, buyer, stripe):
    order, event = paid_order(client, buyer, stripe)

    response, found = statements(lambda: come_back(client, order))

    assert response["Location"] == order.get_absolute_url()
    assert found == [
        "SELECT shop_user",
        "SELECT shop_order",
        "SELECT shop_payment",  # the payment it awaits; then Stripe is asked
        "SELECT shop_order",  # locked first, by its payment's session
        "SELECT shop_payment",  # locked
        "UPDATE shop_payment",
        "UPDATE shop_order",
        "INSERT shop_orderevent",
        # Then no statement: hooks.order_paid's gifts receiver skips an order
        # that is no gift, and the page shows the order as settle() locked
        # and left it.
    ]
    assert Order.objects.get(pk=order.pk).status == Order.Status.PLACED
    # The webhook after it: recorded, and the order left as it is.
    response, found = statements(lambda: deliver(client, stripe, event))
    assert response.content == b"already paid"
    assert found == [
        "INSERT shop_paymentevent",
        "SELECT shop_order",
        "SELECT shop_payment",
        "UPDATE shop_paymentevent",
    ]
    assert (
        OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.PAID).count() == 1
    )
    charges = stripe.of_type("charge")
    assert len(charges) == 1 and len(stripe.of_type("checkout.session")) == 1
