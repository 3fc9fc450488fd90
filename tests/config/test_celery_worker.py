"""A real Celery worker on Redis delivers the shop's emails after commit."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from config.celery_app import app
from tests.shop.factories import placed_order

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def worker():
    app.conf.task_always_eager = False
    assert app.conf.broker_url.startswith("redis://")
    app.control.purge()  # nothing left over from an earlier run
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    app.conf.task_always_eager = True


def test_order_confirmation_goes_through_redis_and_the_worker(worker):
    order = placed_order()
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m.to for m in mail.outbox] == [[order.buyer.email]]
    assert order.number in mail.outbox[0].subject
