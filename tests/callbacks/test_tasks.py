"""The tasks own their retries: ``dial`` says how long to wait and the dial
task comes back by itself after exactly that."""

import datetime
import time

import pytest
from celery.signals import task_retry
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from callbacks import ratelimit, services
from callbacks.dialers import LocmemDialer
from callbacks.exceptions import ProviderError
from callbacks.models import CallbackRequest
from callbacks.tasks import dial_callback
from tests.workers import celery_worker

State = CallbackRequest.State


@pytest.fixture
def retries():
    """The countdown of every retry the dial task asks for."""
    seen = []

    def on_retry(sender, request, reason, **kwargs):
        if sender.name == dial_callback.name:
            seen.append(reason.when)

    task_retry.connect(on_retry)
    yield seen
    task_retry.disconnect(on_retry)


def ask(case: int, delay=datetime.timedelta(0)) -> CallbackRequest:
    return services.schedule_callback(
        subject=f"support.case:{case}",
        number=PhoneNumber.from_string(f"+8190123456{50 + case}"),
        script="Hello",
        queue="support",
        delay=delay,
    )


@pytest.mark.django_db
def test_a_provider_refusal_is_retried_by_the_task_after_the_backoff(retries):
    callback = ask(1)  # due now; its task is run below, as a worker would
    LocmemDialer.fail_with = ProviderError("503", retryable=True, code=20503)
    # Not raised to us: eager tasks otherwise raise their Retry to the caller.
    dial_callback.apply(kwargs={"callback_id": callback.pk}, throw=False)
    callback = CallbackRequest.objects.get(pk=callback.pk)
    assert (callback.state, callback.attempts) == (State.SCHEDULED, 1)
    # One retry, for the row's new due time; the eager retry, which ran at
    # once, found the row not yet due and did nothing.
    (countdown,) = retries
    backoff = (callback.due_at - timezone.now()).total_seconds()
    assert countdown > 0 and abs(countdown - backoff) < 1
    assert LocmemDialer.calls == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_dial_without_a_token_is_retried_by_its_task_with_the_wait(
    settings, retries, broker
):
    settings.CALLBACKS_CALLS_PER_SECOND = 1.0
    settings.CALLBACKS_CALL_BURST = 1
    client = ratelimit._client(settings.REDIS_URL)
    client.delete(ratelimit.KEY)
    try:
        with celery_worker(pool="threads", concurrency=4):
            first, second = ask(1), ask(2)  # each queues its task on commit
            deadline = timezone.now() + datetime.timedelta(seconds=15)
            while len(LocmemDialer.calls) < 2 and timezone.now() < deadline:
                time.sleep(0.05)
    finally:
        client.delete(ratelimit.KEY)
    assert len(LocmemDialer.calls) == 2
    first, second = (CallbackRequest.objects.get(pk=c.pk) for c in (first, second))
    assert (first.attempts, second.attempts) == (1, 1)
    # The second waited for the next token, a second later, through a
    # retry of its own task with the wait ``dial`` returned.
    gap = second.dialing_started_at - first.dialing_started_at
    assert gap >= datetime.timedelta(seconds=0.5)
    assert retries and all(0 < countdown <= 1.1 for countdown in retries)
