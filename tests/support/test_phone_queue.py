""" "Connect me" sent twice at the same moment by one agent: one claim, one
ring, both requests land on the same case."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from callbacks import services as callback_services
from callbacks.dialers import LocmemDialer
from callbacks.models import CallbackRequest
from support import calls
from support.models import Case, CaseEvent
from tests.concurrency import post_together
from tests.shop.factories import UserFactory, placed_order, sign_in_staff

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def _calls():
    LocmemDialer.calls.clear()
    yield
    LocmemDialer.calls.clear()


def waiting_case(number: str) -> Case:
    order = placed_order()
    case = Case.objects.create(
        customer=order.buyer,
        order=order,
        order_line=order.lines.get(),
        problem="missing_item",
        first_response_due_at=timezone.now(),
    )
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
    form = client.get(queue_url).content.decode()
    key = form.split('name="submission" value="')[1].split('"')[0]

    responses = post_together(client, queue_url, {"submission": key})

    case_url = reverse("admin:support_case_change", args=[first.pk])
    assert [r.status_code for r in responses] == [302, 302]
    assert [r["Location"] for r in responses] == [case_url, case_url]
    assert CallbackRequest.objects.filter(claimed_by=agent).count() == 1
    assert len([c for c in LocmemDialer.calls if "connect_url" in c]) == 1
    taken = first.events.filter(kind=CaseEvent.Kind.CALL, actor=agent)
    assert [e.body.split(" (")[0] for e in taken] == [f"{agent} took the call"]
