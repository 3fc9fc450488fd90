"""The callback state machine: exactly one call per request, whatever happens."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber
from twilio.request_validator import RequestValidator

from callbacks import services
from callbacks.dialers import LocmemDialer
from callbacks.exceptions import (
    NumberNotAllowed,
    OutsideHours,
    ProviderError,
    TooLateToChange,
    TooManyCallbacks,
)
from callbacks.models import CallbackRequest
from callbacks.services import dialing as dialing_services
from callbacks.signals import callback_changed
from callbacks.tasks import sweep_callbacks

pytestmark = pytest.mark.django_db
State = CallbackRequest.State
NOW = datetime.timedelta(0)
LATER = datetime.timedelta(minutes=5)
NUMBER = PhoneNumber.from_string("+819012345678")


@pytest.fixture
def changes():
    seen = []

    def listen(sender, callback, old_state, new_state, detail, **kwargs):
        seen.append((old_state, new_state))

    callback_changed.connect(listen)
    yield seen
    callback_changed.disconnect(listen)


def ask(delay=NOW, subject="support.case:1", number=NUMBER, **kwargs):
    return services.schedule_callback(
        subject=subject,
        number=number,
        script="Hello from Hoshii.",
        queue="support",
        delay=delay,
        **kwargs,
    )


def time_passes(callback, **delta):
    """Move the clock for one row: its due time is now in the past."""
    CallbackRequest.objects.filter(pk=callback.pk).update(
        due_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def post_status(
    client, callback, status, *, sid=None, base="http://testserver", **extra
):
    url = reverse("callbacks:status", args=[callback.reference])
    params = {"CallSid": sid or callback.call_sid, "CallStatus": status, **extra}
    signature = RequestValidator("test-auth-token").compute_signature(
        base + url, params
    )
    return client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)


def refreshed(callback):
    return CallbackRequest.objects.get(pk=callback.pk)


# --- Now, later, and never twice ---------------------------------------------


def test_now_dials_at_once(django_capture_on_commit_callbacks, changes):
    with django_capture_on_commit_callbacks(execute=True):
        callback = ask()
    callback = refreshed(callback)
    assert callback.state == State.DIALING
    assert callback.call_sid == LocmemDialer.calls[0]["sid"]
    assert LocmemDialer.calls[0]["to"] == "+819012345678"
    assert changes == [("", State.SCHEDULED), (State.SCHEDULED, State.DIALING)]


def test_in_five_minutes_waits_then_dials_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        callback = ask(LATER)
    assert refreshed(callback).state == State.SCHEDULED  # the eager task found it early
    assert LocmemDialer.calls == []
    time_passes(callback)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_callbacks()
        sweep_callbacks()
        services.dial(callback_id=callback.pk)
    assert len(LocmemDialer.calls) == 1
    assert refreshed(callback).attempts == 1


def test_duplicates_of_every_kind_ring_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = ask(LATER)
        again = ask(LATER)  # a double click
        now = ask(NOW)  # "now" after "in 5 minutes"
    assert first.pk == again.pk == now.pk
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # retried task, redelivered message, the sweeper
            services.dial(callback_id=first.pk)
        sweep_callbacks()
        ask(NOW)  # asking again while it rings
    assert len(LocmemDialer.calls) == 1
    assert CallbackRequest.objects.count() == 1


def test_cancel_and_switch_until_the_call_starts(django_capture_on_commit_callbacks):
    callback = ask(LATER)
    services.reschedule_callback(
        callback=callback, delay=NOW + datetime.timedelta(minutes=1)
    )
    services.cancel_callback(callback=callback)
    assert refreshed(callback).state == State.CANCELLED
    time_passes(callback)
    services.dial(callback_id=callback.pk)
    assert LocmemDialer.calls == []

    with django_capture_on_commit_callbacks(execute=True):
        started = ask(NOW, subject="support.case:2")
    with pytest.raises(TooLateToChange):
        services.cancel_callback(callback=started)
    with pytest.raises(TooLateToChange):
        services.reschedule_callback(callback=started, delay=LATER)


# --- Provider answers -----------------------------------------------------------


def test_a_busy_provider_is_retried_with_backoff(django_capture_on_commit_callbacks):
    LocmemDialer.fail_with = ProviderError("503", retryable=True, code=20503)
    with django_capture_on_commit_callbacks(execute=True):
        callback = ask()
    callback = refreshed(callback)
    assert callback.state == State.SCHEDULED
    assert callback.due_at > timezone.now()
    LocmemDialer.fail_with = None
    time_passes(callback)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_callbacks()
    assert refreshed(callback).state == State.DIALING
    assert len(LocmemDialer.calls) == 1


def test_an_invalid_number_fails_at_once_with_the_reason(
    django_capture_on_commit_callbacks,
):
    LocmemDialer.fail_with = ProviderError(
        "not a valid number", retryable=False, code=21211
    )
    with django_capture_on_commit_callbacks(execute=True):
        callback = ask()
    callback = refreshed(callback)
    assert (callback.state, callback.last_error) == (State.FAILED, "not a valid number")


# --- Status webhooks --------------------------------------------------------------


@pytest.fixture
def dialing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        callback = ask()
    return refreshed(callback)


def test_the_lifecycle_through_signed_webhooks(
    client, dialing, changes, django_capture_on_commit_callbacks
):
    changes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for status in ["initiated", "ringing", "in-progress", "completed"]:
            assert post_status(client, dialing, status).status_code == 204
    callback = refreshed(dialing)
    assert callback.state == State.COMPLETED
    assert [new for _old, new in changes] == [
        State.RINGING,
        State.IN_PROGRESS,
        State.COMPLETED,
    ]


def test_repeated_and_out_of_order_callbacks_change_nothing_twice(client, dialing):
    post_status(client, dialing, "completed")
    post_status(client, dialing, "ringing")
    post_status(client, dialing, "in-progress")
    post_status(client, dialing, "completed")
    callback = refreshed(dialing)
    assert callback.state == State.COMPLETED
    assert list(callback.events.values_list("to_state", flat=True)) == [
        State.SCHEDULED,
        State.DIALING,
        State.COMPLETED,
    ]


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl"])
def test_a_missing_or_bad_signature_is_403(client, dialing, signature):
    url = reverse("callbacks:status", args=[dialing.reference])
    response = client.post(
        url,
        {"CallSid": dialing.call_sid, "CallStatus": "completed"},
        HTTP_X_TWILIO_SIGNATURE=signature,
    )
    assert response.status_code == 403
    assert refreshed(dialing).state == State.DIALING


def test_signatures_are_checked_against_the_public_https_url(client, dialing, settings):
    # Behind a TLS-terminating proxy the app sees http; Twilio signed https.
    settings.CALLBACKS_PUBLIC_BASE_URL = "https://shop.example.com"
    assert post_status(client, dialing, "ringing").status_code == 403
    assert (
        post_status(
            client, dialing, "ringing", base="https://shop.example.com"
        ).status_code
        == 204
    )


def test_no_answer_is_retried_then_fails(
    client, dialing, settings, django_capture_on_commit_callbacks
):
    settings.CALLBACKS_MAX_ATTEMPTS = 2
    post_status(client, dialing, "no-answer")
    callback = refreshed(dialing)
    assert (callback.state, callback.call_sid) == (State.SCHEDULED, "")
    post_status(client, dialing, "ringing", sid=LocmemDialer.calls[0]["sid"])
    assert refreshed(dialing).state == State.SCHEDULED  # the old call is ignored
    time_passes(callback)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_callbacks()
    callback = refreshed(dialing)
    assert (callback.state, callback.attempts) == (State.DIALING, 2)
    post_status(client, callback, "completed", AnsweredBy="machine_start")
    callback = refreshed(dialing)
    assert callback.state == State.FAILED
    assert callback.answered_by == CallbackRequest.AnsweredBy.MACHINE
    assert len(LocmemDialer.calls) == 2


def test_a_late_status_of_an_earlier_attempt_is_not_taken_for_the_next_call(
    client, dialing, django_capture_on_commit_callbacks
):
    first_sid = dialing.call_sid
    post_status(client, dialing, "no-answer")
    time_passes(dialing)
    # The second attempt is claimed, and before its call id is saved the
    # first call's last status arrives, late.
    callback = dialing_services._claim_oldest_due()
    assert (callback.state, callback.call_sid) == (State.DIALING, "")
    post_status(client, callback, "completed", sid=first_sid)
    assert (refreshed(callback).state, refreshed(callback).call_sid) == (
        State.DIALING,
        "",
    )
    dialing_services._place_call(callback=callback)
    second_sid = LocmemDialer.calls[-1]["sid"]
    assert refreshed(callback).call_sid == second_sid
    post_status(client, callback, "ringing", sid=second_sid)
    assert refreshed(callback).state == State.RINGING


@pytest.mark.parametrize("claim", ["statement", "locked read"])
def test_both_forms_of_the_claim_take_the_oldest_due_row_alike(
    claim, django_capture_on_commit_callbacks
):
    """PostgreSQL's one statement and the locked read run mode's SQLite
    takes: the oldest due row, one more attempt, its history line, and the
    change announced once committed."""
    later, older = ask(LATER), ask(LATER, subject="support.case:2")
    time_passes(later)
    CallbackRequest.objects.filter(pk=older.pk).update(
        due_at=refreshed(later).due_at - datetime.timedelta(seconds=1)
    )
    announced = []

    def heard(callback, new_state, **kwargs):
        announced.append((callback.pk, new_state))

    callback_changed.connect(heard)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            claimed = (
                dialing_services._claim_oldest_due()
                if claim == "statement"
                else dialing_services._claim_by_locked_read("default")
            )
    finally:
        callback_changed.disconnect(heard)
    assert claimed.pk == older.pk
    row = refreshed(older)
    assert (row.state, row.attempts, row.call_sid) == (State.DIALING, 1, "")
    assert row.dialing_started_at is not None
    assert list(row.events.values_list("from_state", "to_state", "detail"))[-1] == (
        State.SCHEDULED,
        State.DIALING,
        "attempt 1",
    )
    assert announced == [(older.pk, State.DIALING)]
    assert refreshed(later).state == State.SCHEDULED


# --- Reconciliation -------------------------------------------------------------


def test_a_dial_lost_before_the_provider_answered_is_redialled_once(
    django_capture_on_commit_callbacks,
):
    callback = ask(LATER)
    time_passes(callback)
    # The worker claimed the row, then died before asking the provider.
    claimed = dialing_services._claim_oldest_due()
    assert claimed.state == State.DIALING
    CallbackRequest.objects.filter(pk=callback.pk).update(
        dialing_started_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        sweep_callbacks()
    assert len(LocmemDialer.calls) == 1
    assert refreshed(callback).call_sid == LocmemDialer.calls[0]["sid"]


def test_a_call_placed_but_not_recorded_is_adopted_not_redialled(
    django_capture_on_commit_callbacks,
):
    callback = ask(LATER)
    time_passes(callback)
    services.dial(callback_id=callback.pk)
    sid = LocmemDialer.calls[0]["sid"]
    # The worker died after the provider placed the call, before saving its id.
    CallbackRequest.objects.filter(pk=callback.pk).update(
        call_sid="", dialing_started_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        sweep_callbacks()
    assert len(LocmemDialer.calls) == 1
    assert refreshed(callback).call_sid == sid


# --- Abuse and hours ------------------------------------------------------------


def test_only_allowed_countries():
    with pytest.raises(NumberNotAllowed):
        ask(number=PhoneNumber.from_string("+12025550123"))
    with pytest.raises(NumberNotAllowed):
        ask(number=PhoneNumber.from_string("+8190123"))


def test_at_most_three_requests_an_hour_per_number(settings):
    for case in range(3):
        callback = ask(LATER, subject=f"support.case:{case}")
        services.cancel_callback(callback=callback)
    with pytest.raises(TooManyCallbacks):
        ask(LATER, subject="support.case:99")


def test_now_is_refused_outside_opening_hours(settings):
    settings.CALLBACKS_DAYS = []
    with pytest.raises(OutsideHours):
        ask(NOW)
    assert ask(LATER).state == State.SCHEDULED  # a later call may be booked


# --- TwiML ------------------------------------------------------------------------


def _signed_post(client, url, params):
    signature = RequestValidator("test-auth-token").compute_signature(
        "http://testserver" + url, params
    )
    return client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_the_greeting_names_the_problem_then_queues(client, dialing):
    url = reverse("callbacks:answer", args=[dialing.reference])
    twiml = _signed_post(client, url, {"CallSid": dialing.call_sid}).content.decode()
    assert "<Say" in twiml and "Hello from Hoshii." in twiml
    assert "<Enqueue" in twiml and ">support</Enqueue>" in twiml
    assert refreshed(dialing).enqueued_at is not None
    machine = _signed_post(
        client, url, {"CallSid": dialing.call_sid, "AnsweredBy": "machine_start"}
    ).content.decode()
    assert "<Hangup" in machine


def test_the_agent_leg_never_dials_into_the_shared_queue(client, dialing):
    # <Dial><Queue> would bridge whoever is first; a call nobody took is
    # never put through.
    url = reverse("callbacks:agent", args=[dialing.reference])
    twiml = _signed_post(client, url, {"CallSid": "CAagent"}).content.decode()
    assert "<Queue" not in twiml and "<Conference" not in twiml
    assert "<Hangup" in twiml


def test_the_broker_down_loses_no_request(
    monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from callbacks.tasks import dial_callback

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(dial_callback, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        callback = ask()
    assert refreshed(callback).state == State.SCHEDULED  # saved, shown as scheduled
    assert LocmemDialer.calls == []
    monkeypatch.undo()  # the broker is back: the sweeper dials it, once
    with django_capture_on_commit_callbacks(execute=True):
        sweep_callbacks()
        sweep_callbacks()
    assert len(LocmemDialer.calls) == 1


@pytest.mark.parametrize("view", ["status", "answer", "agent", "agent_status", "join"])
def test_webhooks_refuse_everything_when_the_auth_token_is_empty(
    client, dialing, settings, view
):
    # An HMAC keyed with "" is one anybody can compute: never accept it.
    settings.TWILIO_AUTH_TOKEN = ""
    url = reverse(f"callbacks:{view}", args=[dialing.reference])
    params = {"CallSid": dialing.call_sid, "CallStatus": "completed"}
    forged = RequestValidator("").compute_signature("http://testserver" + url, params)
    response = client.post(url, params, HTTP_X_TWILIO_SIGNATURE=forged)
    assert response.status_code == 403
    assert refreshed(dialing).state == State.DIALING


# --- Listeners ---------------------------------------------------------------------


def test_a_failing_listener_never_stops_a_call(
    client, caplog, django_capture_on_commit_callbacks
):
    def broken(sender, **kwargs):
        raise RuntimeError("the timeline is down")

    callback_changed.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            callback = ask()
        callback = refreshed(callback)
        assert callback.state == State.DIALING
        assert callback.call_sid == LocmemDialer.calls[0]["sid"]
        with django_capture_on_commit_callbacks(execute=True):
            for status in ["ringing", "in-progress", "completed"]:
                assert post_status(client, callback, status).status_code == 204
    finally:
        callback_changed.disconnect(broken)
    assert refreshed(callback).state == State.COMPLETED
    failures = [
        r for r in caplog.records if r.name == "callbacks.signals" and r.exc_info
    ]
    assert len(failures) == 5  # scheduled, dialing, ringing, connected, finished
    assert "the timeline is down" in str(failures[0].exc_info[1])
