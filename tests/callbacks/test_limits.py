"""Toll-fraud guards: which numbers may be called, how often, and the shop's
hourly cap with its alarm for staff."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from phonenumber_field.phonenumber import PhoneNumber

from callbacks import selectors, services
from callbacks.exceptions import (
    CallsPaused,
    NumberCalledTooOften,
    NumberKindNotAllowed,
    TooManyCallbacks,
)
from callbacks.models import CallAlarm, CallbackRequest
from tests.concurrency import run_together
from tests.shop.factories import UserFactory, sign_in_staff

LATER = datetime.timedelta(minutes=5)


def ask(number="+819012345678", subject="support.case:1", requested_by=None):
    return services.schedule_callback(
        subject=subject,
        number=PhoneNumber.from_string(number, region="JP"),
        script="Hello from Hoshii.",
        queue="support",
        delay=LATER,
        requested_by=requested_by,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "number",
    [
        "0570-012-345",  # Navi Dial, shared cost
        "0990-123-456",  # premium rate
        "0120-123-456",  # toll free
        "0800-123-4567",  # toll free
        "050-1234-5678",  # VoIP
        "020-1234-5678",  # pager
        "0600-123-456",  # personal number
    ],
)
def test_only_mobile_and_landline_numbers_are_called(number):
    with pytest.raises(NumberKindNotAllowed) as refused:
        ask(number)
    assert "mobile or landline" in refused.value.message
    assert not CallbackRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["090-1234-5678", "080-1234-5678", "03-1234-5678"])
def test_mobile_and_landline_numbers_are_called(number):
    assert ask(number).state == CallbackRequest.State.SCHEDULED


@pytest.mark.django_db
@pytest.mark.parametrize("redis", [True, False], ids=["redis", "run-mode"])
def test_one_number_is_called_three_times_an_hour_across_all_accounts(settings, redis):
    if not redis:
        settings.REDIS_URL = ""
    for case in range(3):
        ask(subject=f"support.case:{case}", requested_by=UserFactory())
    with pytest.raises(NumberCalledTooOften):
        ask(subject="support.case:9", requested_by=UserFactory())
    # Another number is fine, and one customer is still held to their own.
    customer = UserFactory()
    for case in range(3):
        ask(f"+8190111100{case:02d}", f"support.case:1{case}", requested_by=customer)
    with pytest.raises(TooManyCallbacks):
        ask("+819011119999", "support.case:20", requested_by=customer)


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_many_accounts_at_once_still_ring_one_number_three_times():
    users = [UserFactory() for _ in range(8)]
    results = run_together(
        [
            lambda i=i, user=user: ask(subject=f"support.case:{i}", requested_by=user)
            for i, user in enumerate(users)
        ]
    )
    assert CallbackRequest.objects.count() == 3
    refused = [r for r in results if isinstance(r, NumberCalledTooOften)]
    assert len(refused) == 5


@pytest.fixture
def cap_of_two(settings):
    settings.CALLBACKS_SHOP_MAX_PER_HOUR = 2
    ask("+819011110001", "support.case:1")
    ask("+819011110002", "support.case:2")


@pytest.mark.django_db
@pytest.mark.parametrize("redis", [True, False], ids=["redis", "run-mode"])
def test_the_shop_cap_refuses_new_requests_and_alarms_staff_once(
    settings, django_capture_on_commit_callbacks, redis
):
    if not redis:
        settings.REDIS_URL = ""
    settings.CALLBACKS_SHOP_MAX_PER_HOUR = 2
    settings.ADMINS = []
    UserFactory(is_superuser=True, is_staff=True, email="boss@hoshii.test")
    ask("+819011110001", "support.case:1")
    ask("+819011110002", "support.case:2")
    for case in (3, 4, 5):
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(CallsPaused) as refused,
        ):
            ask(f"+81901111000{case}", f"support.case:{case}")
    assert "too many call requests" in refused.value.message
    assert CallbackRequest.objects.count() == 2
    alarm = CallAlarm.objects.get()
    assert (alarm.limit, alarm.refused, alarm.is_open) == (2, 3, True)
    assert [m.to for m in mail.outbox] == [["boss@hoshii.test"]]
    assert "cap of 2 calls an hour" in mail.outbox[0].body
    assert list(selectors.active_alarms()) == [alarm]


@pytest.mark.django_db
def test_a_new_trip_after_a_quiet_hour_is_a_new_alarm(
    cap_of_two, settings, django_capture_on_commit_callbacks
):
    settings.ADMINS = [("ops", "ops@hoshii.test")]
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(CallsPaused),
    ):
        ask("+819011110003", "support.case:3")
    CallAlarm.objects.update(
        last_refused_at=CallAlarm.objects.get().last_refused_at
        - datetime.timedelta(hours=2)
    )
    assert not selectors.active_alarms().exists()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(CallsPaused),
    ):
        ask("+819011110004", "support.case:4")
    assert list(CallAlarm.objects.values_list("is_open", flat=True)) == [True, False]
    assert [m.to for m in mail.outbox] == [["ops@hoshii.test"]] * 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_refusals_at_the_same_moment_raise_one_alarm_and_one_email(settings):
    settings.CALLBACKS_SHOP_MAX_PER_HOUR = 0
    settings.ADMINS = [("ops", "ops@hoshii.test")]
    results = run_together(
        [lambda i=i: ask(f"+81901111000{i}", f"support.case:{i}") for i in range(4)]
    )
    assert all(isinstance(r, CallsPaused) for r in results), results
    alarm = CallAlarm.objects.get()
    assert alarm.refused == 4
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_staff_see_the_alarm_on_the_admin_and_the_support_desk(cap_of_two):
    with pytest.raises(CallsPaused):
        ask("+819011110003", "support.case:3")
    client = Client()
    sign_in_staff(client, UserFactory(is_staff=True, is_superuser=True))
    for name in [
        "admin:index",
        "admin:support_case_changelist",
        "admin:support_case_phone_queue",
    ]:
        page = client.get(reverse(name)).content.decode()
        assert "Calls paused: the shop reached its cap of 2 calls an hour" in page
    alarms = client.get(reverse("admin:callbacks_callalarm_changelist"))
    assert alarms.status_code == 200
    assert "Hourly call cap reached" in alarms.content.decode()
