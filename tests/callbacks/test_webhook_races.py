"""Twilio's webhooks delivered twice at the same moment (Twilio retries a
webhook that was slow to answer, and may send it while the first is still
being handled): one change, one timeline entry, one retry, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse
from twilio.request_validator import RequestValidator

from callbacks.models import CallbackRequest
from tests.concurrency import post_together

from .test_callbacks import ask, refreshed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
State = CallbackRequest.State


@pytest.fixture
def dialing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        callback = ask()
    return refreshed(callback)


def _signed(name: str, callback: CallbackRequest, params: dict) -> tuple[str, dict]:
    url = reverse(name, args=[callback.reference])
    signature = RequestValidator("test-auth-token").compute_signature(
        "http://testserver" + url, params
    )
    return url, {"HTTP_X_TWILIO_SIGNATURE": signature}


@pytest.mark.parametrize("status", ["in-progress", "completed", "no-answer", "busy"])
def test_a_status_delivered_twice_at_once_changes_the_call_once(dialing, status):
    params = {"CallSid": dialing.call_sid, "CallStatus": status}
    url, headers = _signed("callbacks:status", dialing, params)

    responses = post_together(Client(), url, params, times=3, **headers)

    assert [r.status_code for r in responses] == [204, 204, 204]
    callback = refreshed(dialing)
    moves = list(callback.events.values_list("to_state", flat=True))
    # One move out of dialing, whatever the outcome: a retry after no answer
    # goes back to scheduled once, and is dialled once.
    assert moves[:2] == [State.SCHEDULED, State.DIALING]
    assert len(moves) == 3, moves
    assert callback.attempts == dialing.attempts


def test_the_answer_delivered_twice_at_once_queues_the_caller_once(dialing):
    params = {"CallSid": dialing.call_sid, "AnsweredBy": "human"}
    url, headers = _signed("callbacks:answer", dialing, params)

    responses = post_together(Client(), url, params, **headers)

    assert [r.status_code for r in responses] == [200, 200]
    first, second = (r.content for r in responses)
    assert first == second  # the same TwiML: greet, then wait in the queue
    assert b"<Enqueue" in first
    enqueued_at = refreshed(dialing).enqueued_at
    assert enqueued_at is not None
    post_together(Client(), url, params, **headers)
    assert refreshed(dialing).enqueued_at == enqueued_at  # kept, not moved
