"""A real Celery worker on Redis delivers the shop's emails after commit."""

import time

import pytest
from django.core import mail

from config.celery_app import app
from shop.models import Order
from tests.shop.factories import placed_order
from tests.workers import celery_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def worker():
    assert app.conf.broker_url.startswith("redis://")
    with celery_worker(pool="solo", shutdown_timeout=10):
        yield


def test_order_confirmation_goes_through_redis_and_the_worker(worker):
    order = placed_order()
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m.to for m in mail.outbox] == [[order.buyer.email]]
    assert order.number in mail.outbox[0].subject


def test_orders_placed_together_are_each_confirmed_once(worker):
    """Orders committed while a send is queued ask for no send of their own;
    the worker's sends find every one of them, and none twice."""
    orders = [placed_order() for _ in range(12)]
    deadline = time.monotonic() + 20
    while len(mail.outbox) < len(orders) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # a duplicate would arrive about now
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.buyer.email for o in orders)
    assert not Order.objects.filter(confirmation_sent_at=None).exists()
