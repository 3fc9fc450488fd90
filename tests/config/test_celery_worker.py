"""A real Celery worker on Redis delivers the shop's emails after commit."""

import time

import pytest
from django.core import mail

from config.celery_app import app
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
