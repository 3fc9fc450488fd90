""" "Connect me" sent twice at the same moment by one agent: one claim, one
ring, both requests land on the same case."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from phonenumber_field.phonenumber import PhoneNumber

from callbacks import services as callback_services
from callbacks.dialers import LocmemDialer
from callbacks.models import CallbackRequest
from support import calls
from support.models import Case, CaseEvent
from tests.concurrency import post_together
from tests.double_submit import assert_same_result, key_on
from tests.shop.factories import UserFactory, sign_in_staff
from tests.support.factories import CaseFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def waiting_case(number: str) -> Case:
    case = CaseFactory(problem=Case.Problem.MISSING_ITEM)
    callback = callback_services.schedule_callback(
        subject=calls.subject_for(case),
        number=PhoneNumber.from_string(number),
        script="Hello",
        queue="support",
        delay=datetime.timedelta(0),
    )
    callback = CallbackRequest.objects.get(pk=callback.pk)
    callback_services.record_status(
        reference=callback.reference, call_sid=callback.call_sid, status="in-progress"
    )
    callback_services.mark_enqueued(reference=callback.reference)
    return case


def test_connect_me_twice_at_once_takes_one_caller_and_rings_once():
    first = waiting_case("+819011110001")
    waiting_case("+819011110002")
    agent = UserFactory(is_staff=True, is_superuser=True, phone="+819099998888")
    client = Client()
    sign_in_staff(client, agent)
    queue_url = reverse("admin:support_case_phone_queue")
    key = key_on(client, queue_url)

    responses = post_together(client, queue_url, {"submission": key})

    case_url = reverse("admin:support_case_change", args=[first.pk])
    assert assert_same_result(responses) == case_url
    assert CallbackRequest.objects.filter(claimed_by=agent).count() == 1
    assert len([c for c in LocmemDialer.calls if "connect_url" in c]) == 1
    taken = first.events.filter(kind=CaseEvent.Kind.CALL, actor=agent)
    assert [e.body.split(" (")[0] for e in taken] == [f"{agent} took the call"]
