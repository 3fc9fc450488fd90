"""Scheduling with a real Celery worker, on Redis and on RabbitMQ: the ETA
task fires on time, never early, and duplicates of it ring once."""

import datetime
import time

import pytest
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from callbacks import services
from callbacks.dialers import LocmemDialer
from callbacks.models import CallbackRequest
from callbacks.tasks import dial_callback
from config.celery_app import app
from tests.workers import celery_worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def worker(broker):
    with celery_worker(pool="threads", concurrency=4):
        yield


def test_a_delayed_call_fires_on_time_and_once(worker):
    requested = timezone.now()
    callback = services.schedule_callback(
        subject="support.case:1",
        number=PhoneNumber.from_string("+819012345678"),
        script="Hello",
        queue="support",
        delay=datetime.timedelta(seconds=2),
    )
    # Duplicate wake-ups: a retried task, a redelivered message.
    for _ in range(3):
        dial_callback.delay(callback_id=callback.pk)
    assert wait_for(lambda: LocmemDialer.calls)
    dialled = CallbackRequest.objects.get(pk=callback.pk)
    assert dialled.dialing_started_at >= requested + datetime.timedelta(seconds=2)
    time.sleep(1.5)  # any straggler task would have rung by now
    assert len(LocmemDialer.calls) == 1
    assert dialled.attempts == 1


def test_calls_have_a_queue_of_their_own_that_default_workers_also_consume():
    route = app.amqp.router.route({}, dial_callback.name)
    assert route["queue"].name == "calls"
    assert {q.name for q in app.amqp.queues.consume_from.values()} >= {
        "celery",
        "calls",
    }
