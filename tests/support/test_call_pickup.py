"""Who took which call, and a missed pick-up, as the case page shows them:
the call's timeline row and the sidebar's list of calls name the agent
(``CallbackRequest.claimed_by``, data, not only a line of text), and a
caller nobody put through in time shows as "missed pick-up"."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from callbacks import services as callback_services
from callbacks.models import CallbackRequest
from support import calls, timeline
from support.models import CaseEvent
from tests.queries import assert_same_queries, queries_for
from tests.shop.factories import UserFactory, deliver, placed_order
from tests.support.factories import customer_asks_for_call, file_question

pytestmark = pytest.mark.django_db


def waiting_caller(capture):
    """A case whose customer asked for a call now, answered and waits."""
    customer = UserFactory(phone="+819012345678")
    order = placed_order(customer)
    deliver(order)
    case = file_question(order.lines.get(), "Please call me.")
    with capture(execute=True):
        customer_asks_for_call(case, later=False)
    callback = CallbackRequest.objects.get(subject=calls.subject_for(case))
    for status in ["ringing", "in-progress"]:
        with capture(execute=True):
            callback_services.record_status(
                reference=callback.reference, call_sid=callback.call_sid, status=status
            )
    callback_services.mark_enqueued(reference=callback.reference)
    return case, callback


def miss_pickup(callback, capture):
    CallbackRequest.objects.filter(pk=callback.pk).update(
        pickup_due_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with capture(execute=True):
        assert callback_services.requeue_unpicked(callback_id=callback.pk) is not None


def staff(name: str, phone: str):
    return UserFactory(is_staff=True, display_name=name, phone=phone)


def test_a_missed_pick_up_shows_on_the_calls_row_naming_the_agent(
    agent_client, django_capture_on_commit_callbacks, settings
):
    capture = django_capture_on_commit_callbacks
    case, callback = waiting_caller(capture)
    aiko, ben = staff("Aiko", "+819099990001"), staff("Ben", "+819099990002")
    with capture(execute=True):
        assert (
            calls.take_next_call(agent=aiko, submission_key="aiko-0000000001") == case
        )
    miss_pickup(callback, capture)  # Aiko never answered her phone

    with capture(execute=True):
        assert calls.take_next_call(agent=ben, submission_key="ben-00000000001") == case

    (row,) = [r for r in timeline.timeline_rows(case) if r.is_call]
    assert row.steps[-2:] == ["connected", "missed pick-up"]
    assert row.notes[1:] == [
        "Aiko took the call.",
        f"Missed pick-up: Aiko didn't answer within "
        f"{settings.CALLBACKS_PICKUP_TIMEOUT} s; the caller is first in line again.",
        "Ben took the call.",
    ]
    # Who has the call now is the call's own data, not only the notes.
    assert row.who == "Ben"
    assert CallbackRequest.objects.get(pk=callback.pk).claimed_by == ben
    page = agent_client.get(reverse("admin:support_case_change", args=[case.pk]))
    sidebar = page.content.decode().split("<aside>")[1]
    assert "taken by Ben" in sidebar and "1 missed pick-up" in sidebar
    assert "connected → missed pick-up" in page.content.decode()


def test_a_caller_nobody_took_shows_missed_pick_ups_without_blaming_anyone(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    case, callback = waiting_caller(capture)
    for _ in range(3):
        miss_pickup(callback, capture)
    (row,) = [r for r in timeline.timeline_rows(case) if r.is_call]
    assert row.steps[-2:] == ["connected", "missed pick-up (×3)"]
    assert row.who == ""
    assert not case.events.filter(
        kind=CaseEvent.Kind.CALL, body__startswith="Missed pick-up"
    ).exists()


def test_the_case_page_costs_the_same_with_missed_pick_ups_or_none(
    agent_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    quiet, _quiet_call = waiting_caller(capture)
    url = reverse("admin:support_case_change", args=[quiet.pk])
    before = queries_for(agent_client, url)
    CallbackRequest.objects.update(state=CallbackRequest.State.COMPLETED)
    busy, busy_call = waiting_caller(capture)
    for n in range(3):
        with capture(execute=True):
            calls.take_next_call(
                agent=staff(f"Agent {n}", f"+81909999000{n}"),
                submission_key=f"take-{n:012d}",
            )
        miss_pickup(busy_call, capture)
    after = queries_for(
        agent_client, reverse("admin:support_case_change", args=[busy.pk])
    )
    assert_same_queries(before, after)
