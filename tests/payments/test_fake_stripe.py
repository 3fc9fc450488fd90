"""The fake Stripe keeps Stripe's rules, as the real ``stripe`` library sees
them over HTTP: later payment tests can trust what it answers and sends."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from tests.concurrency import run_together

YEN = {"currency": "jpy", "unit_amount": 1500, "product_data": {"name": "Mug"}}


def create_session(**options):
    return stripe.checkout.Session.create(
        mode="payment",
        line_items=[{"quantity": 2, "price_data": YEN}],
        success_url="https://shop.test/paid",
        cancel_url="https://shop.test/cancelled",
        client_reference_id="order-7",
        metadata={"order": "7"},
        payment_intent_data={"metadata": {"order": "7"}},
        expires_at=int(time.time()) + 3600,
        **options,
    )


def paid_intent(fake):
    session = create_session()
    return stripe.PaymentIntent.retrieve(fake.pay(session.id)["payment_intent"])


class Receiver:
    """A webhook endpoint on loopback that keeps what Stripe posts to it,
    answering the statuses in ``answers`` (then 200)."""

    def __init__(self, answers=(), barrier=None):
        self.posts: list[tuple[bytes, str]] = []
        self.answers = list(answers)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if barrier is not None:
                    barrier.wait(timeout=5)  # all deliveries in flight at once
                receiver.posts.append((body, self.headers["Stripe-Signature"]))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, args=(0.02,), daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks/stripe"

    def events(self, secret):
        return [
            stripe.Webhook.construct_event(body, header, secret, tolerance=300)
            for body, header in self.posts
        ]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


# --- Checkout Sessions ----------------------------------------------------------------


def test_a_session_is_created_retrieved_and_expired(fake_stripe):
    session = create_session()

    assert session.id.startswith("cs_test_")
    assert session.object == "checkout.session"
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert session.amount_total == 3000  # yen are zero-decimal: 2 x ¥1,500
    assert session.currency == "jpy"
    assert session.metadata["order"] == "7"
    assert session.url.startswith(fake_stripe.base_url)
    assert stripe.checkout.Session.retrieve(session.id).id == session.id

    assert stripe.checkout.Session.expire(session.id).status == "expired"
    with pytest.raises(stripe.InvalidRequestError, match="status in"):
        stripe.checkout.Session.expire(session.id)
    assert [e["type"] for e in fake_stripe.pending] == ["checkout.session.expired"]


def test_unknown_ids_missing_params_and_wrong_keys_are_refused(fake_stripe):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe.checkout.Session.retrieve("cs_test_nope")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")

    with pytest.raises(stripe.InvalidRequestError) as bad:
        stripe.checkout.Session.create(mode="payment", success_url="https://x.test")
    assert (bad.value.code, bad.value.param) == ("parameter_missing", "line_items")

    with pytest.raises(stripe.AuthenticationError):
        create_session(api_key="sk_test_wrong")


# --- paying and refunding -------------------------------------------------------------


def test_paying_completes_the_session_with_a_charged_intent(fake_stripe):
    session = create_session()
    fake_stripe.pay(session.id)

    session = stripe.checkout.Session.retrieve(session.id)
    assert (session.status, session.payment_status) == ("complete", "paid")
    intent = stripe.PaymentIntent.retrieve(session.payment_intent)
    assert intent.id.startswith("pi_")
    assert (intent.status, intent.amount_received) == ("succeeded", 3000)
    assert intent.latest_charge.startswith("ch_")
    assert intent.metadata["order"] == "7"
    assert [e["type"] for e in fake_stripe.pending] == [
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]


def test_a_declined_card_leaves_the_session_open_for_another_try(fake_stripe):
    session = create_session()
    fake_stripe.pay(session.id, card="4000000000000002")

    session = stripe.checkout.Session.retrieve(session.id)
    assert session.status == "open"
    intent = stripe.PaymentIntent.retrieve(session.payment_intent)
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.code == "card_declined"

    fake_stripe.pay(session.id)
    assert stripe.PaymentIntent.retrieve(intent.id).status == "succeeded"
    assert [e["type"] for e in fake_stripe.pending] == [
        "payment_intent.payment_failed",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]


def test_a_declined_direct_charge_is_a_card_error(fake_stripe):
    with pytest.raises(stripe.CardError) as declined:
        stripe.PaymentIntent.create(
            amount=3000,
            currency="jpy",
            confirm=True,
            payment_method="pm_card_chargeDeclined",
        )

    assert (declined.value.http_status, declined.value.code) == (402, "card_declined")
    assert fake_stripe.of_type("charge") == []


def test_partial_refunds_up_to_the_amount_then_refused(fake_stripe):
    intent = paid_intent(fake_stripe)

    first = stripe.Refund.create(payment_intent=intent.id, amount=1000)
    assert first.id.startswith("re_")
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        stripe.Refund.create(payment_intent=intent.id, amount=2001)
    assert too_much.value.code == "amount_too_large"
    rest = stripe.Refund.create(payment_intent=intent.id)  # no amount: the rest
    assert (first.amount, rest.amount) == (1000, 2000)

    with pytest.raises(stripe.InvalidRequestError) as again:
        stripe.Refund.create(payment_intent=intent.id, amount=1)
    assert again.value.code == "charge_already_refunded"
    charge = fake_stripe.objects[intent.latest_charge]
    assert (charge["amount_refunded"], charge["refunded"]) == (3000, True)
    assert [e["type"] for e in fake_stripe.pending][-2:] == [
        "refund.created",
        "charge.refunded",
    ]


# --- idempotency keys -----------------------------------------------------------------


def test_the_same_key_and_parameters_replay_the_first_answer(fake_stripe):
    first = create_session(idempotency_key="order-7-session")
    second = create_session(idempotency_key="order-7-session")

    assert second.id == first.id
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert len(fake_stripe.of_type("checkout.session")) == 1


def test_the_same_key_with_other_parameters_is_an_idempotency_error(fake_stripe):
    intent = paid_intent(fake_stripe)
    stripe.Refund.create(payment_intent=intent.id, amount=100, idempotency_key="r1")

    with pytest.raises(stripe.IdempotencyError):
        stripe.Refund.create(payment_intent=intent.id, amount=200, idempotency_key="r1")
    assert len(fake_stripe.of_type("refund")) == 1


def test_keys_are_scoped_to_the_api_key(fake_stripe):
    fake_stripe.api_keys += ("sk_test_other",)

    mine = create_session(idempotency_key="k")
    theirs = create_session(idempotency_key="k", api_key="sk_test_other")

    assert mine.id != theirs.id


def test_parameters_that_fail_validation_are_not_saved_for_the_key(fake_stripe):
    with pytest.raises(stripe.InvalidRequestError):
        stripe.PaymentIntent.create(currency="jpy", idempotency_key="pi-1")
    intent = stripe.PaymentIntent.create(
        amount=500, currency="jpy", idempotency_key="pi-1"
    )
    assert intent.amount == 500


@pytest.mark.slow
def test_concurrent_creates_with_one_key_make_one_session(fake_stripe):
    results = run_together(
        [lambda: create_session(idempotency_key="order-7-session")] * 5
    )

    assert {session.id for session in results} == {results[0].id}
    assert len(fake_stripe.of_type("checkout.session")) == 1


# --- failures on demand ---------------------------------------------------------------


def test_failures_answer_before_doing_the_work(fake_stripe):
    fake_stripe.fail_next(503, 429)

    with pytest.raises(stripe.APIError) as unavailable:
        create_session(idempotency_key="k")
    assert unavailable.value.http_status == 503
    with pytest.raises(stripe.RateLimitError):
        create_session(idempotency_key="k")
    assert fake_stripe.of_type("checkout.session") == []

    assert create_session(idempotency_key="k").status == "open"


@pytest.mark.slow
def test_the_library_retries_a_500_with_its_own_key(fake_stripe, monkeypatch):
    monkeypatch.setattr(stripe, "max_network_retries", 1)
    fake_stripe.fail_next(500)

    create_session()

    first, retry = fake_stripe.requests
    assert first["key"] == retry["key"]
    assert len(fake_stripe.of_type("checkout.session")) == 1


@pytest.mark.slow
def test_a_retry_after_a_timeout_with_the_same_key_charges_once(
    fake_stripe, monkeypatch
):
    """WooCommerce Stripe #3725: the charge is made, the answer times out."""
    monkeypatch.setattr(
        stripe, "default_http_client", stripe.RequestsClient(timeout=0.5)
    )
    fake_stripe.stall_next(2)

    def charge():
        return stripe.PaymentIntent.create(
            amount=3000,
            currency="jpy",
            confirm=True,
            payment_method="pm_card_visa",
            idempotency_key="order-7-payment-1",
        )

    with pytest.raises(stripe.APIConnectionError):
        charge()
    assert len(fake_stripe.of_type("charge")) == 1  # the work was done

    intent = charge()
    assert intent.last_response.headers["Idempotent-Replayed"] == "true"
    assert (intent.status, intent.amount_received) == ("succeeded", 3000)
    assert len(fake_stripe.of_type("payment_intent")) == 1
    assert len(fake_stripe.of_type("charge")) == 1


@pytest.mark.slow
def test_the_library_s_own_retry_after_a_timeout_charges_once(fake_stripe, monkeypatch):
    monkeypatch.setattr(
        stripe, "default_http_client", stripe.RequestsClient(timeout=0.5)
    )
    monkeypatch.setattr(stripe, "max_network_retries", 1)
    fake_stripe.stall_next(2)

    intent = stripe.PaymentIntent.create(
        amount=3000, currency="jpy", confirm=True, payment_method="pm_card_visa"
    )

    first, retry = fake_stripe.requests
    assert first["key"] == retry["key"]
    assert intent.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(fake_stripe.of_type("charge")) == 1


# --- signed webhook events ------------------------------------------------------------


def test_queued_events_are_signed_as_stripe_signs_them(fake_stripe, receiver):
    session = create_session()
    fake_stripe.pay(session.id)

    assert fake_stripe.flush(receiver.url) == [200, 200]

    events = receiver.events(fake_stripe.webhook_secret)
    assert [e.type for e in events] == [
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]
    completed = events[1]
    assert completed.id.startswith("evt_") and completed.object == "event"
    assert completed.data.object.id == session.id
    assert completed.data.object.payment_status == "paid"
    assert fake_stripe.pending == []


def test_a_late_tampered_or_foreign_event_is_rejected(fake_stripe, receiver):
    session = create_session()
    fake_stripe.send_event(
        "checkout.session.completed", session, receiver.url, late=301
    )
    fake_stripe.send_event("checkout.session.completed", session, receiver.url)
    (late, late_header), (body, header) = receiver.posts

    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.Webhook.construct_event(late, late_header, fake_stripe.webhook_secret)
    forged = body.replace(b'"open"', b'"complete"')
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(forged, header, fake_stripe.webhook_secret)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, "whsec_someone_else")
    assert stripe.Webhook.construct_event(body, header, fake_stripe.webhook_secret)


def test_an_event_delivered_twice_keeps_its_id(fake_stripe, receiver):
    session = create_session()
    fake_stripe.send_event("checkout.session.expired", session, receiver.url, times=2)

    first, second = receiver.events(fake_stripe.webhook_secret)
    assert first.id == second.id


@pytest.mark.slow
def test_an_event_delivered_concurrently_arrives_all_at_once(fake_stripe):
    endpoint = Receiver(barrier=threading.Barrier(3))
    try:
        statuses = fake_stripe.send_event(
            "checkout.session.completed",
            create_session(),
            endpoint.url,
            times=3,
            concurrently=True,
        )
        events = endpoint.events(fake_stripe.webhook_secret)
    finally:
        endpoint.close()

    assert statuses == [200, 200, 200]  # the barrier let all three through
    assert len({e.id for e in events}) == 1


def test_events_flush_in_the_order_the_test_asks(fake_stripe, receiver):
    """Polar #14274's ordering: the earlier attempt's failure arrives last."""
    session = create_session()
    fake_stripe.pay(session.id, card="4000000000000002")
    fake_stripe.pay(session.id)

    fake_stripe.flush(
        receiver.url,
        order=["checkout.session.completed", "payment_intent.succeeded"],
    )

    assert [e.type for e in receiver.events(fake_stripe.webhook_secret)] == [
        "checkout.session.completed",
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
    ]


def test_a_refused_delivery_is_retried_until_accepted(fake_stripe):
    endpoint = Receiver(answers=[500, 503])
    try:
        event = fake_stripe.event("checkout.session.completed", create_session())
        assert fake_stripe.deliver(event, endpoint.url) == 200
        events = endpoint.events(fake_stripe.webhook_secret)  # each re-signed
    finally:
        endpoint.close()

    assert [d["status"] for d in fake_stripe.deliveries] == [500, 503, 200]
    assert [e.id for e in events] == [event["id"]] * 3


def test_retries_stop_after_the_configured_count(fake_stripe):
    fake_stripe.retries = 1
    endpoint = Receiver(answers=[500, 500, 500])
    try:
        status = fake_stripe.send_event(
            "checkout.session.expired", create_session(), endpoint.url
        )
    finally:
        endpoint.close()

    assert status == 500
    assert len(fake_stripe.deliveries) == 2


def test_a_delayed_event_is_still_signed_when_sent(fake_stripe, receiver):
    started = time.monotonic()
    fake_stripe.send_event(
        "checkout.session.completed", create_session(), receiver.url, delay=0.2
    )

    assert time.monotonic() - started >= 0.2
    assert len(receiver.events(fake_stripe.webhook_secret)) == 1


def test_the_event_payload_is_a_snapshot(fake_stripe, receiver):
    session = create_session()
    fake_stripe.pay(session.id)
    stripe.Refund.create(
        payment_intent=stripe.checkout.Session.retrieve(session.id).payment_intent
    )

    fake_stripe.flush(receiver.url)

    by_type = {e.type: e for e in receiver.events(fake_stripe.webhook_secret)}
    assert by_type["payment_intent.succeeded"].data.object.status == "succeeded"
    assert by_type["charge.refunded"].data.object.amount_refunded == 3000
    assert by_type["refund.created"].data.object.amount == 3000
    assert (
        json.loads(receiver.posts[0][0])["data"]["object"]["object"] == "payment_intent"
    )
