"""A worker killed with SIGKILL before or after the provider call: exactly
one call is placed. Real worker processes, on Redis and on RabbitMQ, the
fake Twilio.

On RabbitMQ the killed worker's message is back on the queue as soon as its
connection drops, so the next worker takes it as well as the sweeper's:
the row's claim still lets one of them dial. On Redis it would come back
only after the visibility timeout; the sweeper dials it."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from callbacks import services
from callbacks.models import CallbackRequest
from callbacks.tasks import sweep_callbacks
from config.celery_app import app
from tests.workers import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
State = CallbackRequest.State


@pytest.fixture
def workers(fake_twilio, settings, broker):
    """Start Celery worker processes against this test's database, on
    ``broker``."""
    app.conf.task_always_eager = False
    app.control.purge()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": broker,
        "CALLBACKS_DIALER": "callbacks.dialers.TwilioDialer",
        "TWILIO_API_BASE": fake_twilio.base_url,
    }
    started = []

    def start():
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", "config", "worker",
             "--pool", "solo", "--loglevel", "WARNING", "--without-heartbeat",
             "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    app.conf.task_always_eager = True


def ask(delay_seconds: float) -> CallbackRequest:
    return services.schedule_callback(
        subject="support.case:1",
        number=PhoneNumber.from_string("+819012345678"),
        script="Hello",
        queue="support",
        delay=datetime.timedelta(seconds=delay_seconds),
    )


def test_killed_before_the_provider_call_the_sweeper_dials_once(workers, fake_twilio):
    worker = workers()
    time.sleep(3)  # let it connect and take the scheduled message
    callback = ask(delay_seconds=2)
    time.sleep(1)
    worker.send_signal(signal.SIGKILL)  # holding the unacknowledged message
    worker.wait(timeout=10)
    time.sleep(1.5)  # now due, and nobody is dialling it
    assert CallbackRequest.objects.get(pk=callback.pk).state == State.SCHEDULED

    workers()
    sweep_callbacks()  # what beat does every 30 s
    assert wait_for(lambda: fake_twilio.calls)
    time.sleep(2)
    assert len(fake_twilio.created) == 1
    assert wait_for(lambda: CallbackRequest.objects.get(pk=callback.pk).call_sid)


def test_killed_after_the_provider_call_reconciles_instead_of_redialling(
    workers, fake_twilio, settings
):
    fake_twilio.create_delay = 30  # the provider places the call, then stalls
    worker = workers()
    time.sleep(3)
    callback = ask(delay_seconds=0)
    assert wait_for(lambda: fake_twilio.calls)
    worker.send_signal(signal.SIGKILL)  # before it could save the call id
    worker.wait(timeout=10)
    row = CallbackRequest.objects.get(pk=callback.pk)
    assert (row.state, row.call_sid) == (State.DIALING, "")

    fake_twilio.create_delay = 0
    CallbackRequest.objects.filter(pk=callback.pk).update(
        dialing_started_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    workers()
    sweep_callbacks()
    (sid,) = fake_twilio.calls
    assert wait_for(lambda: CallbackRequest.objects.get(pk=callback.pk).call_sid == sid)
    time.sleep(2)
    assert len(fake_twilio.created) == 1
