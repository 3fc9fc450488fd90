""" "Connect me" puts an agent through to the caller they took, and to no
other: the real twilio library against the fake Twilio, our live webhooks,
and agents clicking at the same moment on PostgreSQL."""

import datetime

import pytest
from django.urls import reverse
from phonenumber_field.phonenumber import PhoneNumber

from callbacks import services
from callbacks.models import CallbackRequest
from tests.concurrency import run_together
from tests.shop.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def twilio(fake_twilio, live_server, settings):
    settings.CALLBACKS_PUBLIC_BASE_URL = live_server.url
    return fake_twilio


def waiting_caller(twilio, number: str, case: int) -> CallbackRequest:
    """A customer called back who answered, heard the greeting and waits."""
    callback = services.schedule_callback(
        subject=f"support.case:{case}",
        number=PhoneNumber.from_string(number),
        script="Hello from Hoshii.",
        queue="support",
        delay=datetime.timedelta(0),
    )
    sid = CallbackRequest.objects.get(pk=callback.pk).call_sid
    for status in ["initiated", "ringing"]:
        assert twilio.send_status(sid, status) == 204
    twilio.calls[sid]["status"] = "in-progress"
    status, twiml = twilio.fetch_twiml(sid, AnsweredBy="human")
    assert status == 200 and "<Enqueue" in twiml
    assert twilio.send_status(sid, "in-progress", AnsweredBy="human") == 204
    return CallbackRequest.objects.get(pk=callback.pk)


def agent(phone: str):
    return UserFactory(is_staff=True, phone=phone)


def claim(user, key: str):
    return services.claim_waiting_call(
        queue="support", agent=user, agent_number=user.phone, submission_key=key
    )


def agent_leg(twilio, user) -> dict:
    (call,) = [c for c in twilio.calls.values() if c["to"] == str(user.phone)]
    return call


def answer_agent(twilio, user) -> str:
    leg = agent_leg(twilio, user)
    leg["status"] = "in-progress"
    status, twiml = twilio.fetch_twiml(leg["sid"])
    assert status == 200
    return twiml


def test_two_agents_at_once_are_put_through_to_two_different_callers(twilio):
    first = waiting_caller(twilio, "+819011110001", 1)
    second = waiting_caller(twilio, "+819011110002", 2)
    alice, bob = agent("+819099990001"), agent("+819099990002")

    taken = run_together([lambda: claim(alice, "k" * 20), lambda: claim(bob, "j" * 20)])

    assert {c.reference for c in taken} == {first.reference, second.reference}
    for user, callback in zip((alice, bob), taken, strict=True):
        row = CallbackRequest.objects.get(pk=callback.pk)
        assert row.claimed_by == user and row.claimed_at is not None
        leg = agent_leg(twilio, user)
        assert row.agent_call_sid == leg["sid"]
        assert leg["url"].endswith(f"/callbacks/agent/{row.reference}/")
        # The agent answers: their own caller leaves the queue for a room
        # of the two of them, and the agent joins that room.
        twiml = answer_agent(twilio, user)
        assert f">{row.reference}</Conference>" in twiml
        (redirect,) = [r for r in twilio.redirected if r["sid"] == row.call_sid]
        assert redirect["Url"].endswith(f"/callbacks/join/{row.reference}/")
        _status, joined = twilio.fetch_twiml(row.call_sid)  # the redirected call
        assert f">{row.reference}</Conference>" in joined
        assert CallbackRequest.objects.get(pk=row.pk).bridged_at is not None
    assert len(twilio.redirected) == 2


def test_more_agents_than_callers_never_share_one(twilio):
    caller = waiting_caller(twilio, "+819011110001", 1)
    agents = [agent(f"+81909999000{i}") for i in range(4)]
    taken = run_together(
        [lambda user=user: claim(user, f"agent-key-{user.pk:08d}") for user in agents]
    )
    assert [c.reference for c in taken if c is not None] == [caller.reference]
    assert taken.count(None) == 3
    agent_legs = [c for c in twilio.calls.values() if c["to"].startswith("+8190999")]
    assert len(agent_legs) == 1


def test_a_double_click_claims_once_and_rings_once(twilio):
    waiting_caller(twilio, "+819011110001", 1)
    waiting_caller(twilio, "+819011110002", 2)
    alice = agent("+819099990001")
    first, second = run_together([lambda: claim(alice, "same-key-" + "x" * 10)] * 2)
    assert first.pk == second.pk
    assert CallbackRequest.objects.filter(claimed_by=alice).count() == 1
    assert len([c for c in twilio.calls.values() if c["to"] == str(alice.phone)]) == 1


def test_a_caller_who_hung_up_is_not_taken(twilio):
    gone = waiting_caller(twilio, "+819011110001", 1)
    assert twilio.send_status(gone.call_sid, "completed") == 204
    still_there = waiting_caller(twilio, "+819011110002", 2)
    assert claim(agent("+819099990001"), "k" * 20).pk == still_there.pk
    assert claim(agent("+819099990002"), "j" * 20) is None


def test_a_caller_who_hangs_up_before_the_agent_answers_is_not_bridged(twilio):
    caller = waiting_caller(twilio, "+819011110001", 1)
    alice = agent("+819099990001")
    claim(alice, "k" * 20)
    assert twilio.send_status(caller.call_sid, "completed") == 204
    twiml = answer_agent(twilio, alice)
    assert "hung up" in twiml and "<Hangup" in twiml and "<Conference" not in twiml
    assert twilio.redirected == []


def test_an_agent_who_does_not_answer_hands_the_caller_back(twilio, live_server):
    caller = waiting_caller(twilio, "+819011110001", 1)
    alice, bob = agent("+819099990001"), agent("+819099990002")
    claim(alice, "k" * 20)
    leg = agent_leg(twilio, alice)
    assert leg["status_callback"] == live_server.url + reverse(
        "callbacks:agent_status", args=[caller.reference]
    )
    assert twilio.send_status(leg["sid"], "no-answer") == 204
    assert CallbackRequest.objects.get(pk=caller.pk).claimed_by is None
    assert claim(bob, "j" * 20).pk == caller.pk
    # Alice's late answer puts nobody through: the caller is Bob's now.
    twiml = answer_agent(twilio, alice)
    assert "<Conference" not in twiml
    assert f">{caller.reference}</Conference>" in answer_agent(twilio, bob)
