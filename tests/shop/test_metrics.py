"""The shop's series: an order placed is counted once, however it is paid
and however often the provider's word arrives; a webhook's lag is how late
it came; the confirmation outbox is counted as it stands."""

import datetime

import pytest
from django.test import TestCase
from django.utils import timezone

from shop import confirmations, payments
from shop.models import Order
from shop.services import payments as payment_services
from tests.metrics import scrape, value

from .factories import UserFactory, placed_order

pytestmark = pytest.mark.django_db


def test_an_order_paid_by_card_is_counted_once(settings):
    before = value(scrape(settings), "hoshii_orders_placed_total", payment="card")
    with TestCase.captureOnCommitCallbacks(execute=True):
        order = placed_order()
        # The provider's word again (the return page, a webhook): no change.
        payment_services.refresh_payment(order=order)
    assert order.status == Order.Status.PLACED
    after = value(scrape(settings), "hoshii_orders_placed_total", payment="card")
    assert after - before == 1


def test_an_order_paid_with_store_credit_is_counted_at_checkout(settings):
    from shop.services import issue_store_credit

    buyer = UserFactory()
    issue_store_credit(user=buyer, amount=1_000_000, reason="test", actor=None)
    before = value(
        scrape(settings), "hoshii_orders_placed_total", payment="store_credit"
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        order = placed_order(buyer, use_store_credit=True)
    assert order.status == Order.Status.PLACED
    after = value(
        scrape(settings), "hoshii_orders_placed_total", payment="store_credit"
    )
    assert after - before == 1


def test_a_webhooks_lag_is_measured_from_the_event_creation(settings):
    def lag_samples():
        samples = scrape(settings)
        return (
            value(samples, "hoshii_payment_webhook_lag_seconds_count", provider="test"),
            value(
                samples,
                "hoshii_payment_webhook_lag_seconds_bucket",
                provider="test",
                le="5.0",
            ),
            value(
                samples,
                "hoshii_payment_webhook_lag_seconds_bucket",
                provider="test",
                le="2.0",
            ),
        )

    count, within_5, within_2 = lag_samples()
    payment_services.handle_event(
        provider_name="test",
        event=payments.Event(
            id="evt_lag",
            type="customer.created",
            session=None,
            created=timezone.now() - datetime.timedelta(seconds=3),
        ),
    )
    after = lag_samples()
    # Three seconds late: within the 5 s bucket, not the 2 s one.
    assert after == (count + 1, within_5 + 1, within_2)


def test_stripe_events_carry_their_creation_time():
    event = payments.base.event_from_stripe(
        {"id": "evt_1", "type": "customer.created", "created": 1_700_000_000}
    )
    assert event.created == datetime.datetime(
        2023, 11, 14, 22, 13, 20, tzinfo=datetime.UTC
    )
    undated = payments.base.event_from_stripe({"id": "evt_2", "type": "x"})
    assert undated.created is None


def test_the_outbox_backlog_counts_confirmations_not_sent(settings):
    placed_order(), placed_order()
    stuck = placed_order()
    Order.objects.filter(pk=stuck.pk).update(
        confirmation_failures=confirmations.MAX_FAILURES
    )
    samples = scrape(settings)
    pending = value(samples, "hoshii_outbox_backlog", state="pending")
    failing = value(samples, "hoshii_outbox_backlog", state="failing")
    assert (pending, failing) == (2, 1)

    confirmations.send_pending()
    samples = scrape(settings)
    assert value(samples, "hoshii_outbox_backlog", state="pending") == 0
    assert value(samples, "hoshii_outbox_backlog", state="failing") == 1
