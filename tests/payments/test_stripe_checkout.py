"""StripeProvider and the webhook against the fake Stripe: the real
``stripe`` library over HTTP, and signed events over HTTP to the live
server's ``/payments/stripe/webhook/``.

What Stripe is sent (whole yen, keys from our rows), what it answers
(sessions, refunds, refusals, outages), and what the webhook refuses
(anything unsigned, forged, tampered or stale) or ignores (others' sessions).
"""

import datetime
import html
import json
import urllib.error
import urllib.request

import pytest
import stripe
from django.urls import reverse
from django.utils import timezone

from shop import services
from shop.exceptions import IdempotencyError, PaymentError, RefundRefused
from shop.models import Order, OrderEvent, Payment, PaymentEvent, Product, Refund
from shop.payments import (
    EXPIRED,
    OPEN,
    PAID,
    CheckoutSession,
    ProviderUnavailable,
    StripeProvider,
    stripe_checkout,
)
from shop.selectors import store_credit_balance
from support import services as support_services
from support.exceptions import SupportError
from tests.shop.factories import ProductFactory, UserFactory
from tests.support.factories import file_question

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


def live(test):
    """For a test that serves the webhook on the live server: real
    transactions, and slow."""
    return pytest.mark.slow(pytest.mark.django_db(transaction=True)(test))


# Fixed, as start_payment's is (from the payment's row): a retry sends the
# same parameters to the second.
EXPIRES = timezone.now() + datetime.timedelta(hours=23)


def start(provider, *, amount=3456, key="payment-1", **changes):
    """Open a session for ¥3,456 as ``start_payment`` would."""
    params = {
        "amount": amount,
        "currency": "JPY",
        "description": "Hoshii order 1001",
        "customer_email": "buyer@example.com",
        "locale": "ja",
        "success_url": "https://shop.example/orders/1/paid/",
        "cancel_url": "https://shop.example/orders/1/",
        "expires_at": EXPIRES,
        "metadata": {"order": "1", "payment": "1"},
        "idempotency_key": key,
    }
    return provider.start_checkout(**{**params, **changes})


def posts_to(fake, path: str) -> list[dict]:
    return [r for r in fake.requests if r["method"] == "POST" and r["path"] == path]


def paid_on_stripe(fake, order: Order) -> Order:
    """The buyer pays on Stripe's page and comes back: the return page
    asks Stripe and places the order (no webhook needed)."""
    fake.pay(opened(order))
    order = services.refresh_payment(order=order)
    assert order.status == Order.Status.PLACED
    return order


# --- the provider ---------------------------------------------------------------


def test_a_session_is_opened_once_per_key_in_whole_yen(stripe_shop):
    fake = stripe_shop
    provider = StripeProvider()
    session = start(provider)
    again = start(provider)

    assert session == again
    assert (session.status, session.amount) == (OPEN, 3456)
    assert session.url == fake.objects[session.id]["url"]
    assert len(fake.of_type("checkout.session")) == 1
    first, second = posts_to(fake, "/v1/checkout/sessions")
    assert first["key"] == second["key"] == "payment-1"
    params = first["params"]
    # Yen are zero-decimal for Stripe: ¥3,456 is 3456, not 345600.
    assert params["line_items[0][price_data][unit_amount]"] == "3456"
    assert params["line_items[0][price_data][currency]"] == "jpy"
    assert params["line_items[0][quantity]"] == "1"
    assert params["mode"] == "payment"
    assert params["metadata[payment]"] == "1"
    assert params["payment_intent_data[metadata][payment]"] == "1"


def test_the_same_key_with_other_details_is_refused(stripe_shop):
    provider = StripeProvider()
    start(provider)
    with pytest.raises(IdempotencyError):
        start(provider, amount=3457)
    assert len(stripe_shop.of_type("checkout.session")) == 1


def test_a_session_is_followed_to_paid_and_expired(stripe_shop):
    fake = stripe_shop
    provider = StripeProvider()
    paid = start(provider, key="a")
    fake.pay(paid.id, card=DECLINED)
    assert provider.retrieve_checkout(paid.id).status == OPEN  # may try again
    fake.pay(paid.id)
    state = provider.retrieve_checkout(paid.id)
    intent = fake.objects[paid.id]["payment_intent"]
    assert (state.status, state.reference, state.amount) == (PAID, intent, 3456)
    # Expiring a session paid meanwhile says it was paid.
    assert provider.expire_checkout(paid.id).status == PAID

    unpaid = start(provider, key="b")
    assert provider.expire_checkout(unpaid.id).status == EXPIRED
    assert fake.objects[unpaid.id]["status"] == "expired"
    assert provider.expire_checkout(unpaid.id).status == EXPIRED  # again: the same


def test_refunds_are_partial_keyed_and_refused_past_the_charge(stripe_shop):
    fake = stripe_shop
    provider = StripeProvider()
    session = start(provider)
    fake.pay(session.id)
    intent = provider.retrieve_checkout(session.id).reference

    first = provider.refund(reference=intent, amount=1000, idempotency_key="r-1")
    assert (
        provider.refund(reference=intent, amount=1000, idempotency_key="r-1") == first
    )
    assert first.amount == 1000
    with pytest.raises(IdempotencyError):
        provider.refund(reference=intent, amount=999, idempotency_key="r-1")
    with pytest.raises(RefundRefused, match="greater than unrefunded amount"):
        provider.refund(reference=intent, amount=2457, idempotency_key="r-2")
    provider.refund(reference=intent, amount=2456, idempotency_key="r-3")
    with pytest.raises(RefundRefused, match="already been refunded"):
        provider.refund(reference=intent, amount=1, idempotency_key="r-4")
    assert sorted(r["amount"] for r in fake.of_type("refund")) == [1000, 2456]


@pytest.mark.parametrize("failure", [429, 500, 503, "timeout"])
def test_stripe_out_of_reach_is_provider_unavailable(stripe_shop, settings, failure):
    fake = stripe_shop
    settings.STRIPE_TIMEOUT_SECONDS = 0.5
    stripe_checkout._client.cache_clear()
    provider = StripeProvider()
    session = start(provider, key="a")
    fake.pay(session.id)
    intent = provider.retrieve_checkout(session.id).reference
    for call in (
        lambda: start(provider, key="b"),
        lambda: provider.refund(reference=intent, amount=1, idempotency_key="r"),
    ):
        if failure == "timeout":
            fake.stall_next(1.5)
        else:
            fake.fail_next(failure)
        with pytest.raises(ProviderUnavailable):
            call()


def test_the_proxy_settings_are_read_once_when_the_client_is_made(
    stripe_shop, settings, monkeypatch
):
    """``HTTP(S)_PROXY`` and ``NO_PROXY`` hold as ``requests`` reads them, for
    the API base, read when the client is made: not again on each call."""
    settings.STRIPE_TIMEOUT_SECONDS = 0.5
    closed_proxy = "http://127.0.0.1:9"  # the discard port: nothing listens
    monkeypatch.setenv("HTTP_PROXY", closed_proxy)
    monkeypatch.setenv("HTTPS_PROXY", closed_proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    stripe_checkout._client.cache_clear()
    provider = StripeProvider()
    with pytest.raises(ProviderUnavailable):
        start(provider, key="through-the-proxy")
    # Read once: taking the proxy away afterwards changes nothing for this
    # client; a client made now goes straight to Stripe.
    monkeypatch.delenv("HTTP_PROXY")
    monkeypatch.delenv("HTTPS_PROXY")
    with pytest.raises(ProviderUnavailable):
        start(provider, key="through-the-proxy")
    stripe_checkout._client.cache_clear()
    assert start(provider, key="direct").status == OPEN
    # NO_PROXY naming the API's host bypasses a proxy, as with requests.
    monkeypatch.setenv("HTTP_PROXY", closed_proxy)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    stripe_checkout._client.cache_clear()
    assert start(provider, key="bypassed").status == OPEN
    stripe_checkout._client.cache_clear()


# --- the shop on Stripe -----------------------------------------------------------


@pytest.mark.django_db
def test_an_order_in_yen_is_sent_in_whole_yen_less_the_store_credit(stripe_shop):
    fake = stripe_shop
    buyer = UserFactory()
    services.issue_store_credit(
        user=buyer, amount=777, reason="Welcome", actor=None, reference="welcome"
    )
    order = awaiting_order(
        buyer, (ProductFactory(price=1234), 3), use_store_credit=True
    )
    payment = card_payment(order)
    assert payment.amount == order.total - 777 == 3 * 1234 + 600 - 777

    url = services.start_payment(order=order)

    [sent] = posts_to(fake, "/v1/checkout/sessions")
    params = sent["params"]
    assert sent["key"] == f"payment-{payment.pk}"
    assert params["line_items[0][price_data][unit_amount]"] == str(payment.amount)
    assert params["line_items[0][price_data][currency]"] == "jpy"
    assert params["metadata[order]"] == str(order.pk)
    assert params["client_reference_id"] == str(order.pk)
    # Nothing of where it ships goes to Stripe (a gift's recipient stays hidden).
    for value in (order.ship_to_name, order.ship_to_line1, str(order.ship_to_phone)):
        assert value not in json.dumps(params, ensure_ascii=False)
    session = fake.objects[session_id(order)]
    assert session["amount_total"] == payment.amount
    assert url == session["url"] == card_payment(order).checkout_url


@pytest.mark.django_db
def test_the_return_page_places_the_order_with_no_webhook(stripe_shop, client):
    """A webhook that never comes does not strand the buyer: the return page
    asks Stripe. A declined card leaves the order waiting for another."""
    fake = stripe_shop
    buyer = UserFactory()
    client.force_login(buyer)
    order = awaiting_order(buyer)
    sid = opened(order)
    back = reverse("shop:payment_return", args=[order.pk])

    fake.pay(sid, card=DECLINED)
    assert client.get(back).status_code == 200  # "waiting for your payment"
    assert refreshed(order).status == Order.Status.AWAITING_PAYMENT

    fake.pay(sid)
    response = client.get(back)
    assert response["Location"] == order.get_absolute_url()
    order = refreshed(order)
    assert order.status == Order.Status.PLACED
    payment = card_payment(order)
    assert payment.status == Payment.Status.CAPTURED
    assert payment.reference == fake.objects[sid]["payment_intent"]


@pytest.mark.django_db
def test_the_buyer_cancelling_expires_the_session_first(stripe_shop, client):
    fake = stripe_shop
    buyer = UserFactory()
    client.force_login(buyer)
    product = ProductFactory(stock_on_hand=4)
    order = awaiting_order(buyer, (product, 3))
    sid = opened(order)

    client.post(reverse("shop:order_cancel", args=[order.pk]))

    assert fake.objects[sid]["status"] == "expired"  # can no longer be paid
    assert refreshed(order).status == Order.Status.CANCELLED
    assert Product.objects.get(pk=product.pk).stock_on_hand == 4


# --- the webhook ------------------------------------------------------------------


def post_raw(url: str, body: bytes, headers: dict) -> int:
    """POST ``body`` as it is, over real HTTP: the status answered."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (a live server)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@live
@pytest.mark.parametrize(
    "attack", ["unsigned", "wrong secret", "tampered body", "too old"]
)
def test_an_unsigned_forged_tampered_or_stale_event_is_400_and_changes_nothing(
    stripe_shop, live_server, attack
):
    fake = stripe_shop
    fake.retries = 0
    product = ProductFactory(stock_on_hand=5)
    order = awaiting_order(None, (product, 1))
    fake.pay(opened(order))
    [event] = [e for e in fake.pending if e["type"] == "checkout.session.completed"]
    url = webhook_url(live_server)
    body = json.dumps(event)
    headers = {"Content-Type": "application/json"}

    if attack == "unsigned":
        status = post_raw(url, body.encode(), headers)
    elif attack == "wrong secret":
        fake.webhook_secret = "whsec_someone_else"
        status = fake.deliver(event, url)
        fake.webhook_secret = "whsec_test_fake"
    elif attack == "tampered body":
        # Signed as sent, then changed on the way: another order's id.
        signature = fake.sign(body)
        tampered = body.replace(f'"order": "{order.pk}"', '"order": "999"')
        assert tampered != body
        status = post_raw(
            url, tampered.encode(), {**headers, "Stripe-Signature": signature}
        )
    else:
        status = fake.deliver(event, url, late=stripe_checkout.TOLERANCE_SECONDS + 5)

    assert status == 400
    assert not PaymentEvent.objects.exists()
    order = refreshed(order)
    assert order.status == Order.Status.AWAITING_PAYMENT
    assert card_payment(order).status == Payment.Status.PENDING
    # The genuine event, signed now, is what places it.
    assert fake.deliver(event, url) == 200
    assert refreshed(order).status == Order.Status.PLACED


@live
def test_with_no_webhook_secret_set_every_event_is_refused(
    stripe_shop, live_server, settings
):
    """An empty secret is no secret: anyone can sign with it. A shop whose
    STRIPE_WEBHOOK_SECRET is not set (run mode on the test provider, which
    still serves Stripe's endpoint) refuses every Stripe event."""
    fake = stripe_shop
    fake.retries = 0
    order = awaiting_order()
    fake.pay(opened(order))
    settings.STRIPE_WEBHOOK_SECRET = ""
    fake.webhook_secret = ""

    assert fake.flush(webhook_url(live_server)) == [400, 400]
    assert not PaymentEvent.objects.exists()
    assert refreshed(order).status == Order.Status.AWAITING_PAYMENT


@live
def test_an_unknown_provider_is_404(stripe_shop, live_server):
    fake = stripe_shop
    session = stripe.checkout.Session.create(
        mode="payment",
        success_url="https://shop.example/",
        line_items=[
            {
                "price_data": {
                    "currency": "jpy",
                    "unit_amount": 100,
                    "product_data": {"name": "x"},
                },
                "quantity": 1,
            }
        ],
    )
    fake.retries = 0
    status = fake.send_event(
        "checkout.session.completed",
        fake.objects[session.id],
        live_server.url + "/payments/paypal/webhook/",
    )
    assert status == 404
    assert not PaymentEvent.objects.exists()


@live
def test_an_event_for_a_session_not_ours_is_200_and_ignored(stripe_shop, live_server):
    """Another system on the same Stripe account: its sessions' events reach
    our endpoint too. They are answered 200 (Stripe would retry otherwise)
    and change nothing of ours."""
    fake = stripe_shop
    product = ProductFactory(stock_on_hand=5)
    order = awaiting_order(None, (product, 1))
    opened(order)
    theirs = stripe.checkout.Session.create(
        mode="payment",
        success_url="https://elsewhere.example/",
        metadata={"order": str(order.pk), "payment": "1"},  # even lookalikes
        line_items=[
            {
                "price_data": {
                    "currency": "jpy",
                    "unit_amount": 5000,
                    "product_data": {"name": "Not ours"},
                },
                "quantity": 1,
            }
        ],
    )
    fake.pay(theirs.id)

    assert fake.flush(webhook_url(live_server)) == [200, 200]
    outcomes = dict(PaymentEvent.objects.values_list("type", "outcome"))
    assert outcomes == {
        "payment_intent.succeeded": "not acted on",
        "checkout.session.completed": "no payment of ours",
    }
    assert not PaymentEvent.objects.exclude(payment=None).exists()
    assert refreshed(order).status == Order.Status.AWAITING_PAYMENT


@pytest.mark.django_db
def test_a_paid_session_without_an_id_settles_no_payment_not_yet_opened(
    stripe_shop,
):
    """Payments not yet opened at the provider have no session id: a paid
    session with none (a malformed event) matches none of them."""
    order = awaiting_order(None, (ProductFactory(stock_on_hand=5), 1))
    awaiting_order(None, (ProductFactory(stock_on_hand=5), 1))

    paid = CheckoutSession(id="", status=PAID, amount=order.total)
    assert services.settle(provider_name="stripe", session=paid) == (
        None,
        "no payment of ours",
    )
    assert refreshed(order).status == Order.Status.AWAITING_PAYMENT
    assert not Payment.objects.filter(status=Payment.Status.CAPTURED).exists()


@live
def test_an_expired_session_cancels_the_order_and_gives_back_stock_and_credit(
    stripe_shop, live_server, client
):
    fake = stripe_shop
    product = ProductFactory(stock_on_hand=5, price=2000)
    buyer = UserFactory()
    client.force_login(buyer)
    services.issue_store_credit(
        user=buyer, amount=1500, reason="Welcome", actor=None, reference="welcome"
    )
    order = awaiting_order(buyer, (product, 2), use_store_credit=True)
    assert Product.objects.get(pk=product.pk).stock_on_hand == 3
    sid = opened(order)

    fake.expire(sid)  # the buyer never paid; Stripe's clock closed the page
    assert fake.flush(webhook_url(live_server)) == [200]

    order = refreshed(order)
    assert order.status == Order.Status.CANCELLED
    assert card_payment(order).status == Payment.Status.FAILED
    assert Product.objects.get(pk=product.pk).stock_on_hand == 5
    assert store_credit_balance(user=buyer) == 1500
    assert PaymentEvent.objects.get().outcome == "cancelled the order"
    response = client.post(reverse("shop:order_pay", args=[order.pk]), follow=True)
    assert "can't be paid" in html.unescape(response.content.decode())
    assert len(fake.of_type("checkout.session")) == 1
    assert_books(fake, {product: 5})


@live
@pytest.mark.parametrize("outcome", ["async_payment_failed", "async_payment_succeeded"])
def test_a_delayed_payment_settles_on_its_async_event(
    stripe_shop, live_server, outcome
):
    """Methods that pay later (konbini, bank transfer): Stripe completes the
    session unpaid, and an async event says how it ended. Completed but
    unpaid keeps the order waiting; ``async_payment_failed`` cancels it,
    ``async_payment_succeeded`` places it."""
    fake = stripe_shop
    product = ProductFactory(stock_on_hand=5)
    order = awaiting_order(None, (product, 2))
    sid = opened(order)
    url = webhook_url(live_server)
    session = fake.objects[sid]
    unpaid = {**session, "status": "complete", "payment_status": "unpaid"}
    assert fake.send_event("checkout.session.completed", unpaid, url) == 200
    assert PaymentEvent.objects.get().outcome == "still open"
    assert refreshed(order).status == Order.Status.AWAITING_PAYMENT

    if outcome == "async_payment_failed":
        assert fake.send_event(f"checkout.session.{outcome}", unpaid, url) == 200
        assert refreshed(order).status == Order.Status.CANCELLED
        assert Product.objects.get(pk=product.pk).stock_on_hand == 5
    else:
        fake.pay(sid)
        fake.pending.clear()
        paid = fake.objects[sid]
        assert fake.send_event(f"checkout.session.{outcome}", paid, url) == 200
        assert refreshed(order).status == Order.Status.PLACED
    assert_books(fake, {product: 5})


# --- refunds through Stripe -------------------------------------------------------


@pytest.mark.django_db
def test_a_partial_refund_per_line_goes_to_stripe_under_a_key_from_our_rows(
    stripe_shop,
):
    fake = stripe_shop
    mug, tea = ProductFactory(price=1500), ProductFactory(price=3000)
    order = paid_on_stripe(fake, awaiting_order(None, (mug, 2), (tea, 1)))
    payment = card_payment(order)
    mugs, teas = order.lines.get(product=mug), order.lines.get(product=tea)

    one_mug = services.refund_order_line(
        order_line=mugs, quantity=1, actor=None, reference="r-mug", reason="Chipped"
    )
    again = services.refund_order_line(
        order_line=mugs, quantity=1, actor=None, reference="r-mug", reason="Chipped"
    )
    the_tea = services.refund_order_line(
        order_line=teas, quantity=1, actor=None, reference="r-tea", reason="Late"
    )

    assert again == one_mug
    sent = posts_to(fake, "/v1/refunds")
    assert [(r["key"], r["params"]) for r in sent] == [
        (
            f"refund-{one_mug.pk}-{payment.pk}",
            {"payment_intent": payment.reference, "amount": "1500"},
        ),
        (
            f"refund-{the_tea.pk}-{payment.pk}",
            {"payment_intent": payment.reference, "amount": "3000"},
        ),
    ]
    made = {r["id"]: r["amount"] for r in fake.of_type("refund")}
    for refund, amount in [(one_mug, 1500), (the_tea, 3000)]:
        refund.refresh_from_db()
        assert (refund.status, refund.method) == (
            Refund.Status.SUCCEEDED,
            Refund.Method.CARD,
        )
        assert made[refund.parts.get().provider_reference] == amount
    charge = fake.of_type("charge")[0]
    assert charge["amount_refunded"] == 4500 < charge["amount"]


@pytest.mark.django_db
def test_a_split_tender_is_refunded_to_each_tender(stripe_shop):
    """Store credit paid 4,000 and the card the rest: a refund goes to the
    card first, as far as the card paid, then to store credit."""
    fake = stripe_shop
    buyer = UserFactory()
    services.issue_store_credit(
        user=buyer, amount=4000, reason="Welcome", actor=None, reference="welcome"
    )
    product = ProductFactory(price=3000)
    order = paid_on_stripe(
        fake, awaiting_order(buyer, (product, 2), use_store_credit=True)
    )
    card = card_payment(order)
    assert card.amount == 6000 - 4000

    refund = services.refund_order_line(
        order_line=order.lines.get(),
        quantity=1,
        actor=None,
        reference="r-1",
        reason="Broken",
    )
    refund.refresh_from_db()

    assert (refund.status, refund.method) == (
        Refund.Status.SUCCEEDED,
        Refund.Method.SPLIT,
    )
    parts = {part.payment.provider: part.amount for part in refund.parts.all()}
    assert parts == {"stripe": 2000, Payment.STORE_CREDIT: 1000}
    [made] = fake.of_type("refund")
    assert (made["amount"], made["payment_intent"]) == (2000, card.reference)
    assert store_credit_balance(user=buyer) == 1000


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("left", "message"),
    [
        (500, "greater than unrefunded amount"),  # amount_too_large
        (0, "has already been refunded"),  # charge_already_refunded
    ],
)
def test_a_refund_stripe_refuses_is_failed_and_shown_on_the_order_and_the_case(
    stripe_shop, staff_client, left, message
):
    fake = stripe_shop
    product = ProductFactory(price=3000, name="Teapot")
    order = paid_on_stripe(fake, awaiting_order(None, (product, 1)))
    payment = card_payment(order)
    # Refunded on Stripe's dashboard, not through the shop.
    stripe.Refund.create(payment_intent=payment.reference, amount=payment.amount - left)
    case = file_question(order.lines.get(), "It arrived cracked.")
    agent = UserFactory(is_staff=True)

    with pytest.raises(SupportError, match=message):
        support_services.refund(case=case, actor=agent)

    refund = Refund.objects.get()
    assert refund.status == Refund.Status.FAILED
    assert message in refund.failure_message
    assert len(fake.of_type("refund")) == 1  # the dashboard's only
    failed = order.events.get(kind=OrderEvent.Kind.REFUND_FAILED)
    assert message in failed.message
    order_page = staff_client.get(reverse("admin:shop_order_change", args=[order.pk]))
    assert message in order_page.content.decode()
    case_page = staff_client.get(reverse("admin:support_case_change", args=[case.pk]))
    assert "refused the refund" in case_page.content.decode()
    assert message in case_page.content.decode()
    # Asked again through the shop: the same refusal, nothing sent twice.
    with pytest.raises(PaymentError):
        services.refund_order_line(
            order_line=order.lines.get(),
            quantity=1,
            actor=agent,
            reference="another",
            reason="Again",
        )
    assert len(fake.of_type("refund")) == 1


@live
def test_a_payment_for_an_order_already_cancelled_is_refunded_in_full(
    stripe_shop, live_server
):
    """Money that arrives for an order no longer waiting for it (here the
    session's expiry was heard first) is never kept: the payment is
    captured and refunded in full through Stripe, under a key from its row,
    and the order stays cancelled with its stock back on sale."""
    fake = stripe_shop
    product = ProductFactory(stock_on_hand=5)
    order = awaiting_order(None, (product, 2))
    sid = opened(order)
    url = webhook_url(live_server)
    expired = {**fake.objects[sid], "status": "expired"}
    assert fake.send_event("checkout.session.expired", expired, url) == 200
    assert refreshed(order).status == Order.Status.CANCELLED

    fake.pay(sid)
    assert fake.flush(url) == [200, 200]

    order = refreshed(order)
    assert order.status == Order.Status.CANCELLED
    payment = card_payment(order)
    assert payment.status == Payment.Status.REFUNDED
    [refund] = fake.of_type("refund")
    assert (refund["amount"], refund["payment_intent"]) == (
        payment.amount,
        payment.reference,
    )
    [sent] = posts_to(fake, "/v1/refunds")
    assert sent["key"] == f"payment-{payment.pk}-late"
    assert order.events.filter(kind=OrderEvent.Kind.LATE_PAYMENT_REFUNDED).count() == 1
    assert Product.objects.get(pk=product.pk).stock_on_hand == 5
    assert_books(fake, {product: 5})


@pytest.mark.django_db
def test_a_wrong_api_key_keeps_the_order_waiting_and_says_so(
    stripe_shop, client, settings
):
    """A misconfigured key (Stripe answers 401) is ours to fix: the buyer is
    told the payment page could not open, never shown a 500, and the order
    keeps waiting with its stock held until the key is right."""
    from shop.payments import stripe_checkout

    settings.STRIPE_SECRET_KEY = "sk_test_not_the_key"
    stripe_checkout._client.cache_clear()
    buyer = UserFactory()
    client.force_login(buyer)
    order = awaiting_order(buyer)

    response = client.post(reverse("shop:order_pay", args=[order.pk]), follow=True)

    assert response.status_code == 200
    assert "could not open the payment page" in response.content.decode()
    assert refreshed(order).status == Order.Status.AWAITING_PAYMENT
    assert card_payment(order).session_id == ""
