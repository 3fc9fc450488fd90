"""A waiting caller no agent puts through within ``CALLBACKS_PICKUP_TIMEOUT``:
a missed pick-up. They stay on the line, first in line again, and hear so.
The real twilio library against the fake Twilio, our live webhooks, and the
agent's answer racing the check on PostgreSQL."""

import datetime

import pytest
from django.utils import timezone

from callbacks import services
from callbacks.models import CallbackRequest
from callbacks.tasks import sweep_callbacks
from tests.callbacks.test_claims import (
    agent,
    agent_leg,
    answer_agent,
    claim,
    waiting_caller,
)
from tests.concurrency import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def twilio(fake_twilio, live_server, settings):
    settings.CALLBACKS_PUBLIC_BASE_URL = live_server.url
    return fake_twilio


def time_runs_out(callback: CallbackRequest) -> None:
    """The caller's pick-up time passes (as ``CALLBACKS_PICKUP_TIMEOUT``
    seconds of waiting would)."""
    CallbackRequest.objects.filter(pk=callback.pk).update(
        pickup_due_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def row(callback: CallbackRequest) -> CallbackRequest:
    return CallbackRequest.objects.get(pk=callback.pk)


def requeue_redirects(twilio, callback) -> list[dict]:
    return [
        r
        for r in twilio.redirected
        if r["sid"] == callback.call_sid and "/callbacks/requeue/" in r["Url"]
    ]


def test_a_caller_starts_waiting_with_a_pick_up_time(twilio, settings):
    before = timezone.now()
    caller = waiting_caller(twilio, "+819011110001", 1)
    timeout = datetime.timedelta(seconds=settings.CALLBACKS_PICKUP_TIMEOUT)
    assert before + timeout <= caller.pickup_due_at <= timezone.now() + timeout
    # Not due yet: the check (run at once by eager Celery) and the sweep
    # change nothing.
    assert services.requeue_unpicked(callback_id=caller.pk) is None
    sweep_callbacks()
    assert row(caller).missed_pickups == 0
    assert twilio.redirected == []


def test_a_caller_nobody_takes_in_time_hears_they_are_first_in_line(twilio):
    first = waiting_caller(twilio, "+819011110001", 1)
    second = waiting_caller(twilio, "+819011110002", 2)
    time_runs_out(first)
    time_runs_out(second)

    sweep_callbacks()  # the backstop for a lost check: queues both checks

    for callback, words in [(first, "You are first in line"), (second, "number 2")]:
        now = row(callback)
        assert now.missed_pickups == 1
        assert now.state == CallbackRequest.State.IN_PROGRESS
        assert now.pickup_due_at > timezone.now()
        assert now.enqueued_at == callback.enqueued_at  # keeps their place
        (redirect,) = requeue_redirects(twilio, callback)
        status, twiml = twilio.fetch_twiml(callback.call_sid, redirect["Url"])
        assert status == 200
        assert words in twiml and "All our agents are still busy" in twiml
        assert ">support</Enqueue>" in twiml and "<Hangup" not in twiml
    # Once each: a second sweep finds nothing due.
    sweep_callbacks()
    assert row(first).missed_pickups == 1 and len(requeue_redirects(twilio, first)) == 1


def test_the_message_is_in_the_callers_language(twilio):
    caller = waiting_caller(twilio, "+819011110001", 1)
    CallbackRequest.objects.filter(pk=caller.pk).update(language="ja")
    time_runs_out(caller)
    services.requeue_unpicked(callback_id=caller.pk)
    (redirect,) = requeue_redirects(twilio, caller)
    _status, twiml = twilio.fetch_twiml(caller.call_sid, redirect["Url"])
    assert "ja-JP" in twiml and "順番" in twiml


def test_an_agent_who_does_not_answer_in_time_hands_the_caller_back_first(twilio):
    first = waiting_caller(twilio, "+819011110001", 1)
    later = waiting_caller(twilio, "+819011110002", 2)
    alice, bob = agent("+819099990001"), agent("+819099990002")
    claim(alice, "k" * 20)
    taken = row(first)
    assert taken.claimed_by == alice
    assert taken.pickup_due_at > first.pickup_due_at  # the clock restarts
    time_runs_out(first)

    assert services.requeue_unpicked(callback_id=first.pk) is not None

    now = row(first)
    assert now.claimed_by is None and now.agent_call_sid == ""
    assert now.missed_pickups == 1
    # Ahead of the later caller: the next agent takes them.
    assert claim(bob, "j" * 20).pk == first.pk
    assert row(later).claimed_by is None
    # Alice's late answer puts nobody through, and says why.
    twiml = answer_agent(twilio, alice)
    assert "went back to the queue" in twiml and "<Conference" not in twiml
    assert f">{first.reference}</Conference>" in answer_agent(twilio, bob)
    assert row(first).claimed_by == bob


def test_an_agent_answering_as_the_time_runs_out_is_put_through_or_not_never_both(
    twilio,
):
    """The agent's answer (their TwiML webhook) and the pick-up check, at
    the same moment, ten times: either the agent is put through and the
    caller stays with them, or the caller is handed back and the agent
    hears so; never a caller redirected to both."""
    outcomes = set()
    for n in range(10):
        caller = waiting_caller(twilio, f"+8190111100{n:02d}", n)
        alice = agent(f"+8190999900{n:02d}")
        claim(alice, f"key-{n:016d}")
        time_runs_out(caller)

        answered, requeued = run_together(
            [
                lambda alice=alice: answer_agent(twilio, alice),
                lambda caller=caller: services.requeue_unpicked(callback_id=caller.pk),
            ]
        )

        now = row(caller)
        joins = [
            r
            for r in twilio.redirected
            if r["sid"] == caller.call_sid and "/callbacks/join/" in r["Url"]
        ]
        if now.bridged_at is not None:
            outcomes.add("put through")
            assert requeued is None and now.missed_pickups == 0
            assert now.claimed_by == alice
            assert f">{caller.reference}</Conference>" in answered
            assert len(joins) == 1 and requeue_redirects(twilio, caller) == []
        else:
            outcomes.add("handed back")
            assert requeued is not None and now.missed_pickups == 1
            assert now.claimed_by is None
            assert "<Conference" not in answered
            assert joins == [] and len(requeue_redirects(twilio, caller)) == 1
        twilio.send_status(caller.call_sid, "completed")
    assert outcomes  # each run ended in exactly one of the two


def test_two_checks_at_once_miss_once(twilio):
    caller = waiting_caller(twilio, "+819011110001", 1)
    time_runs_out(caller)
    results = run_together(
        [lambda: services.requeue_unpicked(callback_id=caller.pk)] * 2
    )
    assert len([r for r in results if r is not None]) == 1
    assert row(caller).missed_pickups == 1
    assert len(requeue_redirects(twilio, caller)) == 1


def test_a_caller_who_hung_up_is_not_missed_and_hears_nothing(twilio):
    caller = waiting_caller(twilio, "+819011110001", 1)
    time_runs_out(caller)
    assert twilio.send_status(caller.call_sid, "completed") == 204
    assert services.requeue_unpicked(callback_id=caller.pk) is None
    assert row(caller).missed_pickups == 0 and twilio.redirected == []


def test_a_caller_put_through_meanwhile_joins_their_agent_not_the_queue(twilio):
    """The requeue redirect is on its way when an agent puts the caller
    through: Twilio then fetches ``requeue``, which sends them to the room."""
    caller = waiting_caller(twilio, "+819011110001", 1)
    time_runs_out(caller)
    services.requeue_unpicked(callback_id=caller.pk)
    (redirect,) = requeue_redirects(twilio, caller)
    bob = agent("+819099990002")
    claim(bob, "j" * 20)
    answer_agent(twilio, bob)
    _status, twiml = twilio.fetch_twiml(caller.call_sid, redirect["Url"])
    assert f">{caller.reference}</Conference>" in twiml and "<Enqueue" not in twiml
    assert agent_leg(twilio, bob)["status"] == "in-progress"
