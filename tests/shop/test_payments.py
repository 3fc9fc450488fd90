"""The test payment provider follows a real provider's rules, so tests catch
what a real one would refuse: one checkout session per idempotency key,
refused when the key comes back with other details; a session paid at most
once, left open by a refused card, closed for good when it expires; refunds
keyed too and never past what the payment has left; and books that every
process shares and our rollbacks can't undo."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from shop import payments
from shop.exceptions import (
    CardDeclined,
    IdempotencyError,
    InvalidCard,
    RefundRefused,
)
from shop.models import TestProviderCharge, TestProviderRefund, TestProviderSession
from shop.payments import TestPaymentProvider, test_provider
from tests.concurrency import run_together

from .factories import DECLINED_CARD, TEST_CARD

OTHER_CARD = "5555 5555 5555 4444"

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    return TestPaymentProvider()


def start(provider, key="payment-1", amount=3000, **other):
    details = {
        "amount": amount,
        "currency": "JPY",
        "description": "Hoshii order H-1",
        "customer_email": "buyer@example.com",
        "locale": "en",
        "success_url": "http://testserver/orders/1/paid/",
        "cancel_url": "http://testserver/orders/1/",
        "expires_at": timezone.now() + datetime.timedelta(hours=23),
        "metadata": {"order": "1", "payment": "1"},
        "idempotency_key": key,
    }
    return provider.start_checkout(**{**details, **other})


def paid(provider, **kwargs):
    """A session started and paid with the test card: the payment."""
    session = start(provider, **kwargs)
    return provider.pay(session.id, TEST_CARD)


# --- Checkout sessions ----------------------------------------------------------


def test_the_same_key_returns_the_same_session(provider):
    first = start(provider)
    again = start(provider, description="another description, same payment")
    assert again == first
    assert first.status == payments.OPEN
    assert first.id.startswith("test_cs_")
    assert first.url == f"/payments/test/checkout/{first.id}/"
    assert first.amount == 3000
    assert TestProviderSession.objects.count() == 1
    assert start(provider, key="payment-2").id != first.id
    assert TestProviderSession.objects.count() == 2


@pytest.mark.parametrize(
    "other",
    [{"amount": 2999}, {"currency": "USD"}, {"metadata": {"order": "2"}}],
)
def test_the_same_key_with_other_details_is_refused(provider, other):
    first = start(provider)
    with pytest.raises(IdempotencyError):
        start(provider, **other)
    assert list(TestProviderSession.objects.values_list("reference", "amount")) == [
        (first.id, 3000)
    ]


def test_a_session_is_paid_once(provider):
    session = start(provider)
    made = provider.pay(session.id, TEST_CARD)
    assert made.status == payments.PAID
    assert (made.amount, made.card_last4) == (3000, "4242")
    assert made.reference.startswith("test_pi_")
    # Paying again (a second click, another card) changes nothing.
    assert provider.pay(session.id, OTHER_CARD) == made
    assert provider.retrieve_checkout(session.id) == made
    assert start(provider) == made  # the key still returns the session, paid
    assert list(TestProviderCharge.objects.values_list("amount", "card_last4")) == [
        (3000, "4242")
    ]


def test_a_refused_card_leaves_the_session_open_for_another(provider):
    session = start(provider)
    with pytest.raises(CardDeclined):
        provider.pay(session.id, DECLINED_CARD)
    with pytest.raises(InvalidCard):
        provider.pay(session.id, "1234 5678 9012 3456")
    assert not TestProviderCharge.objects.exists()
    assert provider.retrieve_checkout(session.id).status == payments.OPEN
    assert TestProviderSession.objects.get().last_error == str(
        InvalidCard.default_message
    )
    made = provider.pay(session.id, OTHER_CARD)
    assert (made.status, made.card_last4) == (payments.PAID, "4444")
    assert TestProviderSession.objects.get().last_error == ""


def test_only_an_open_session_expires_and_an_expired_one_is_never_paid(provider):
    session = start(provider)
    expired = provider.expire_checkout(session.id)
    assert expired.status == payments.EXPIRED
    assert provider.expire_checkout(session.id) == expired  # again: the same
    assert provider.pay(session.id, TEST_CARD).status == payments.EXPIRED
    assert not TestProviderCharge.objects.exists()


def test_a_paid_session_cannot_expire(provider):
    made = paid(provider)
    assert provider.expire_checkout(made.id) == made
    assert TestProviderSession.objects.get().status == "complete"


def test_a_session_past_its_time_expires_when_looked_at(provider):
    session = start(provider, expires_at=timezone.now() - datetime.timedelta(1))
    assert provider.retrieve_checkout(session.id).status == payments.EXPIRED
    assert provider.pay(session.id, TEST_CARD).status == payments.EXPIRED
    assert not TestProviderCharge.objects.exists()
    # As Stripe does on its own, the sweep closes the ones nobody looked at.
    late = start(provider, key="payment-2", expires_at=timezone.now())
    assert provider.expire_due() == 1
    assert provider.retrieve_checkout(late.id).status == payments.EXPIRED


# --- Refunds ------------------------------------------------------------------


def test_a_refund_is_keyed_and_never_past_what_the_payment_has_left(provider):
    made = paid(provider)
    first = provider.refund(reference=made.reference, amount=1000, idempotency_key="a")
    assert (
        provider.refund(reference=made.reference, amount=1000, idempotency_key="a")
        == first
    )  # the same key: the same refund, nothing more given back
    with pytest.raises(IdempotencyError):
        provider.refund(reference=made.reference, amount=500, idempotency_key="a")
    with pytest.raises(RefundRefused, match="more than the ¥2,000 left"):
        provider.refund(reference=made.reference, amount=2001, idempotency_key="b")
    provider.refund(reference=made.reference, amount=2000, idempotency_key="b")
    with pytest.raises(RefundRefused):
        provider.refund(reference=made.reference, amount=1, idempotency_key="c")
    assert sorted(TestProviderRefund.objects.values_list("amount", flat=True)) == [
        1000,
        2000,
    ]


def test_a_refund_key_used_for_another_payment_is_refused(provider):
    one = paid(provider, key="payment-1")
    other = paid(provider, key="payment-2")
    provider.refund(reference=one.reference, amount=100, idempotency_key="r")
    with pytest.raises(IdempotencyError):
        provider.refund(reference=other.reference, amount=100, idempotency_key="r")
    assert TestProviderRefund.objects.get().charge.reference == one.reference


def test_a_refund_of_an_unknown_payment_is_refused(provider):
    with pytest.raises(RefundRefused, match="No such charge"):
        provider.refund(reference="test_pi_nope", amount=1, idempotency_key="x")


# --- Its books are its own -----------------------------------------------------


def test_the_provider_refuses_to_be_called_inside_our_transaction(provider):
    """Its books commit at once, as a remote provider's do: from inside one of
    our transactions a rollback would seem to undo a payment, so it refuses."""
    made = paid(provider)
    open_one = start(provider, key="payment-2")
    calls = [
        lambda: start(provider, key="payment-3"),
        lambda: provider.pay(open_one.id, TEST_CARD),
        lambda: provider.expire_checkout(open_one.id),
        lambda: provider.refund(
            reference=made.reference, amount=1, idempotency_key="r"
        ),
    ]
    for call in calls:
        with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
            call()
    assert TestProviderSession.objects.count() == 2
    assert provider.retrieve_checkout(open_one.id).status == payments.OPEN
    assert TestProviderCharge.objects.count() == 1
    assert not TestProviderRefund.objects.exists()


def test_its_events_are_signed_as_stripe_signs_them(provider):
    payload = '{"id": "evt_1", "object": "event", "type": "ping", "data": {}}'
    event = provider.verify_event(
        payload.encode(), {"Stripe-Signature": test_provider.sign(payload)}
    )
    assert (event.id, event.type, event.session) == ("evt_1", "ping", None)
    forged = test_provider.sign(payload, secret="whsec_not_ours")
    stale = test_provider.sign(payload, timestamp=1)
    for header in (forged, stale, ""):
        with pytest.raises(payments.InvalidEvent):
            provider.verify_event(payload.encode(), {"Stripe-Signature": header})


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_with_one_key_get_one_session_one_payment_one_refund(
    provider,
):
    sessions = run_together([lambda: start(provider)] * 5)
    assert len({session.id for session in sessions}) == 1, sessions
    assert TestProviderSession.objects.count() == 1

    session_id = sessions[0].id
    payments_made = run_together(
        [lambda: provider.pay(session_id, TEST_CARD)]
        + [lambda: provider.pay(session_id, OTHER_CARD)] * 4
    )
    assert len({made.reference for made in payments_made}) == 1, payments_made
    assert TestProviderCharge.objects.count() == 1

    reference = payments_made[0].reference
    refunds = run_together(
        [
            lambda: provider.refund(
                reference=reference, amount=3000, idempotency_key="refund-1"
            )
        ]
        * 5
    )
    assert len({made.reference for made in refunds}) == 1, refunds
    assert TestProviderRefund.objects.count() == 1
