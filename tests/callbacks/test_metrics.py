"""The phone calls' series: how long a due call took to reach the provider,
first attempts apart from retries, and each request's final state counted
once, after its transaction commits."""

import datetime

import pytest
from django.test import TestCase
from django.utils import timezone

from callbacks import services
from callbacks.models import CallbackRequest
from tests.metrics import scrape, value

from .test_callbacks import LATER, NOW, ask

pytestmark = pytest.mark.django_db
State = CallbackRequest.State


def dial_latency(settings, **labels) -> tuple[float, float]:
    samples = scrape(settings)
    return (
        value(samples, "hoshii_callback_dial_latency_seconds_count", **labels),
        value(
            samples, "hoshii_callback_dial_latency_seconds_bucket", le="10.0", **labels
        ),
    )


def finished(settings, state) -> float:
    return value(scrape(settings), "hoshii_callbacks_finished_total", state=state)


def test_call_me_now_is_timed_from_the_click_to_the_provider(settings):
    before = dial_latency(settings, attempt="first")
    with TestCase.captureOnCommitCallbacks(execute=True):
        callback = ask(NOW)
    callback.refresh_from_db()
    assert callback.call_sid
    count, fast = dial_latency(settings, attempt="first")
    assert (count, fast) == (before[0] + 1, before[1] + 1)


def test_a_call_dialled_late_is_observed_as_late(settings):
    callback = ask(LATER)
    CallbackRequest.objects.filter(pk=callback.pk).update(
        due_at=timezone.now() - datetime.timedelta(seconds=30)
    )
    before = dial_latency(settings, attempt="first")
    services.dial(callback_id=callback.pk)
    count, fast = dial_latency(settings, attempt="first")
    # Counted, but not within ten seconds: it waited thirty.
    assert (count, fast) == (before[0] + 1, before[1])


def test_final_states_are_counted_once_after_commit(settings):
    before = finished(settings, "cancelled")
    with TestCase.captureOnCommitCallbacks(execute=True):
        callback = ask(LATER)
        services.cancel_callback(callback=callback)
        services.cancel_callback(callback=callback)  # again: no change
    assert finished(settings, "cancelled") == before + 1


def test_a_rolled_back_final_state_is_not_counted(settings):
    before = finished(settings, "cancelled")
    callback = ask(LATER)
    with TestCase.captureOnCommitCallbacks(execute=False) as pending:
        services.cancel_callback(callback=callback)
    # The transaction never commits: its callbacks are dropped.
    assert pending
    assert finished(settings, "cancelled") == before
