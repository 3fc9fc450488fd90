"""The shared call budget: a token bucket in Redis, oldest due call first."""

import datetime

import pytest
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from callbacks import ratelimit, services
from callbacks.dialers import LocmemDialer
from callbacks.models import CallbackRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_call_a_second(settings):
    settings.CALLBACKS_CALLS_PER_SECOND = 1.0
    settings.CALLBACKS_CALL_BURST = 1
    client = ratelimit._client(settings.REDIS_URL)
    client.delete(ratelimit.KEY)
    yield
    client.delete(ratelimit.KEY)


def test_the_bucket_gives_one_token_then_says_how_long_to_wait(one_call_a_second):
    assert ratelimit.take_call_token() == 0
    wait = ratelimit.take_call_token()
    assert 0.5 < wait <= 1.0


def test_no_token_returns_the_wait_without_dropping_and_the_oldest_goes_first(
    one_call_a_second,
):
    rows = []
    for minutes_ago, case in [(3, 1), (2, 2), (1, 3)]:
        callback = services.schedule_callback(
            subject=f"support.case:{case}",
            number=PhoneNumber.from_string(f"+8190123456{70 + case}"),
            script="Hello",
            queue="support",
            delay=datetime.timedelta(0),
        )
        CallbackRequest.objects.filter(pk=callback.pk).update(
            due_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
        )
        rows.append(callback)
    oldest, middle, newest = rows

    # Its task holds the one token: it dials the oldest, then its own row
    # finds the budget spent and says how long until the next token.
    wait = services.dial(callback_id=newest.pk)
    assert [c["to"] for c in LocmemDialer.calls] == [str(oldest.number)]
    assert datetime.timedelta(0) < wait <= datetime.timedelta(seconds=1.1)

    wait = services.dial(callback_id=middle.pk)  # the budget is spent
    assert len(LocmemDialer.calls) == 1
    assert datetime.timedelta(0) < wait <= datetime.timedelta(seconds=1.1)
    assert CallbackRequest.objects.get(pk=middle.pk).state == "scheduled"


def test_a_task_that_dialled_an_older_row_still_dials_its_own():
    older, newer = (
        services.schedule_callback(
            subject=f"support.case:{case}",
            number=PhoneNumber.from_string(f"+8190123456{80 + case}"),
            script="Hello",
            queue="support",
            delay=datetime.timedelta(minutes=5),
        )
        for case in (1, 2)
    )
    for callback, minutes_ago in [(older, 2), (newer, 1)]:
        CallbackRequest.objects.filter(pk=callback.pk).update(
            due_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
        )
    services.dial(callback_id=newer.pk)
    assert [c["to"] for c in LocmemDialer.calls] == [
        str(older.number),
        str(newer.number),
    ]
