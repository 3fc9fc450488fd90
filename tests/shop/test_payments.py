"""The test payment provider follows a real provider's rules, so tests catch
what a real one would refuse: one charge per idempotency key, refused when the
key comes back with other details, refunds keyed too and never past what the
charge has left, and books that every process shares and our rollbacks can't
undo."""

import pytest
from django.db import transaction

from shop.exceptions import (
    CardDeclined,
    IdempotencyError,
    InvalidCard,
    RefundRefused,
)
from shop.models import TestProviderCharge, TestProviderRefund
from shop.payments import TestPaymentProvider
from tests.concurrency import run_together

from .factories import DECLINED_CARD, TEST_CARD

OTHER_CARD = "5555 5555 5555 4444"

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    return TestPaymentProvider()


def charge(provider, key="cart-1-v0", amount=3000, card=TEST_CARD):
    return provider.charge(
        amount=amount, currency="JPY", card_number=card, idempotency_key=key
    )


def test_the_same_key_returns_the_same_charge_and_charges_once(provider):
    first = charge(provider)
    again = charge(provider)
    assert again == first
    assert first.reference.startswith("test_ch_")
    assert (first.amount, first.card_last4) == (3000, "4242")
    assert TestProviderCharge.objects.count() == 1
    assert charge(provider, key="cart-1-v1").reference != first.reference
    assert TestProviderCharge.objects.count() == 2


@pytest.mark.parametrize("other", [{"amount": 2999}, {"card": OTHER_CARD}])
def test_the_same_key_with_other_details_is_refused(provider, other):
    first = charge(provider)
    with pytest.raises(IdempotencyError):
        charge(provider, **other)
    assert list(TestProviderCharge.objects.values_list("reference", "amount")) == [
        (first.reference, 3000)
    ]


def test_a_refused_card_makes_no_charge_and_leaves_the_key_free(provider):
    with pytest.raises(CardDeclined):
        charge(provider, card=DECLINED_CARD)
    with pytest.raises(InvalidCard):
        charge(provider, card="1234 5678 9012 3456")
    assert not TestProviderCharge.objects.exists()
    assert charge(provider, card=OTHER_CARD).card_last4 == "4444"


def test_a_refund_is_keyed_and_never_past_what_the_charge_has_left(provider):
    made = charge(provider)
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


def test_a_refund_of_an_unknown_charge_is_refused(provider):
    with pytest.raises(RefundRefused, match="No such charge"):
        provider.refund(reference="test_ch_nope", amount=1, idempotency_key="x")


def test_the_provider_refuses_to_be_called_inside_our_transaction(provider):
    """Its books commit at once, as a remote provider's do: from inside one of
    our transactions a rollback would seem to undo a charge, so it refuses."""
    made = charge(provider)
    with transaction.atomic(), pytest.raises(RuntimeError):
        charge(provider, key="cart-2-v0")
    with transaction.atomic(), pytest.raises(RuntimeError):
        provider.refund(reference=made.reference, amount=1, idempotency_key="r")
    assert TestProviderCharge.objects.count() == 1
    assert not TestProviderRefund.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_with_one_key_get_one_charge_and_one_refund(provider):
    charges = run_together([lambda: charge(provider)] * 5)
    assert len({made.reference for made in charges}) == 1, charges
    assert TestProviderCharge.objects.count() == 1

    reference = charges[0].reference
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
