"""The real ``twilio`` library over HTTP to the local fake Twilio, and the
fake's signed status callbacks over HTTP to our live webhook."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from callbacks import services
from callbacks.models import CallbackRequest
from callbacks.tasks import sweep_callbacks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
State = CallbackRequest.State


def ask(subject="support.case:1", number="+819012345678"):
    return services.schedule_callback(
        subject=subject,
        number=PhoneNumber.from_string(number),
        script="Hello from Hoshii.",
        queue="support",
        delay=datetime.timedelta(0),
    )


def refreshed(callback):
    return CallbackRequest.objects.get(pk=callback.pk)


def test_a_call_end_to_end(fake_twilio, live_server, settings, monkeypatch):
    settings.CALLBACKS_PUBLIC_BASE_URL = live_server.url
    # The environment must not be able to send requests to another host.
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    monkeypatch.setenv("TWILIO_REGION", "au1")
    callback = refreshed(ask())

    (created,) = fake_twilio.created
    params = created["params"]
    assert params["To"] == "+819012345678"
    assert params["From"] == settings.TWILIO_FROM_NUMBER
    assert params["Url"] == live_server.url + reverse(
        "callbacks:answer", args=[callback.reference]
    )
    assert params["StatusCallback"].endswith(f"/callbacks/status/{callback.reference}/")
    assert params["MachineDetection"] == "Enable"
    assert params["Timeout"] == str(settings.CALLBACKS_RING_TIMEOUT)
    assert callback.call_sid in fake_twilio.calls

    for status in ["initiated", "ringing", "in-progress"]:
        assert fake_twilio.send_status(callback.call_sid, status) == 204
    assert refreshed(callback).state == State.IN_PROGRESS
    assert (
        fake_twilio.send_status(callback.call_sid, "completed", AnsweredBy="human")
        == 204
    )
    callback = refreshed(callback)
    assert (callback.state, callback.answered_by) == (State.COMPLETED, "human")

    forged = fake_twilio.post_signed(
        fake_twilio.calls[callback.call_sid]["status_callback"],
        {"CallSid": callback.call_sid, "CallStatus": "ringing"},
        signature="Zm9yZ2Vk",
    )
    assert forged == 403


@pytest.mark.parametrize("failure", [429, 500, 503])
def test_provider_overload_is_retried_later(fake_twilio, failure):
    fake_twilio.fail_next(failure)
    callback = refreshed(ask())
    assert callback.state == State.SCHEDULED
    assert callback.due_at > timezone.now()
    CallbackRequest.objects.filter(pk=callback.pk).update(due_at=timezone.now())
    sweep_callbacks()
    assert refreshed(callback).state == State.DIALING
    assert len(fake_twilio.created) == 2
    assert len(fake_twilio.calls) == 1


def test_an_invalid_number_fails_at_once(fake_twilio):
    fake_twilio.fail_next(21211)
    callback = refreshed(ask())
    assert callback.state == State.FAILED
    assert "not a valid phone number" in callback.last_error
    assert fake_twilio.calls == {}


def test_reconciliation_asks_the_provider_before_redialling(fake_twilio, settings):
    callback = refreshed(ask())
    sid = callback.call_sid
    CallbackRequest.objects.filter(pk=callback.pk).update(
        call_sid="", dialing_started_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    sweep_callbacks()
    assert refreshed(callback).call_sid == sid
    assert len(fake_twilio.created) == 1
    assert any(r["method"] == "GET" for r in fake_twilio.requests)


def test_calls_share_one_kept_alive_connection_and_send_lists_as_repeated_fields(
    fake_twilio,
):
    # The dialer's HTTP client keeps its connection to the provider open:
    # a new TCP (and, to Twilio, TLS) handshake per call would cost more
    # than the call itself.
    for case in [1, 2, 3]:
        ask(subject=f"support.case:{case}")
    creates = [r for r in fake_twilio.requests if r["method"] == "POST"]
    assert len(creates) == 3
    assert len({r["port"] for r in creates}) == 1
    assert [v for k, v in creates[0]["fields"] if k == "StatusCallbackEvent"] == [
        "initiated",
        "ringing",
        "answered",
        "completed",
    ]
