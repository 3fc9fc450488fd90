"""Run mode's console dialer: a caller who answered waits for an agent
rather than being hung up 40 s later, "Connect me" rings a pretend agent
who answers, and a put-through call ends after a pretend conversation."""

import pytest

from callbacks import dialers, services
from callbacks.dialers import ConsoleDialer
from callbacks.models import CallbackRequest
from callbacks.tasks import play_console_agent
from tests.callbacks.test_claims import agent, claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """The tasks the console dialer sends through the broker."""
    sent: list[dict] = []

    def send_task(name, kwargs, countdown):
        sent.append({"name": name, "countdown": countdown, **kwargs})

    monkeypatch.setattr(dialers.current_app, "send_task", send_task)
    return sent


def test_a_caller_who_answered_waits_instead_of_being_hung_up(sent):
    sid = ConsoleDialer().place_call(
        to="+819011110001", reference="cb_1", answer_url="a", status_url="s"
    )
    statuses = [(t["countdown"], t["status"]) for t in sent if t["call_sid"] == sid]
    assert statuses[:3] == [(1, "initiated"), (3, "ringing"), (7, "in-progress")]
    # The only hang-up is a caller nobody took giving up, minutes later.
    assert statuses[3:] == [(dialers.CONSOLE_PATIENCE, "completed")]
    assert dialers.CONSOLE_PATIENCE >= 300


def test_connect_me_rings_a_pretend_agent_who_is_put_through(sent, settings):
    settings.CALLBACKS_DIALER = "callbacks.dialers.ConsoleDialer"
    callback = CallbackRequest.objects.create(
        subject="support.case:1",
        number="+819011110001",
        script="Hello",
        queue="support",
        due_at="2026-01-01T00:00:00Z",
        state=CallbackRequest.State.IN_PROGRESS,
        call_sid="CA" + "1" * 32,
    )
    services.mark_enqueued(reference=callback.reference)
    alice = agent("+819099990001")
    claim(alice, "k" * 20)
    (answer,) = [t for t in sent if t["name"] == dialers.CONSOLE_AGENT_TASK]
    assert answer["reference"] == callback.reference
    assert answer["countdown"] == dialers.CONSOLE_AGENT_ANSWERS
    callback.refresh_from_db()
    assert answer["agent_call_sid"] == callback.agent_call_sid

    play_console_agent(
        reference=answer["reference"], agent_call_sid=answer["agent_call_sid"]
    )

    callback.refresh_from_db()
    assert callback.bridged_at is not None
    (ends,) = [t for t in sent if t.get("call_sid") == callback.call_sid]
    assert ends["status"] == "completed"
    assert ends["reference"] == callback.reference
    assert ends["countdown"] == dialers.CONSOLE_CONVERSATION
