"""The case page reads in one glance: one timeline row per phone call with
its progress inline and the provider's ids folded away, no ETA once a
parcel is delivered, and what the customer wants in plain words."""

import re

import pytest
from django.urls import reverse

from callbacks import services as callback_services
from callbacks.dialers import LocmemDialer
from callbacks.models import CallbackRequest
from shop import services as shop_services
from support import calls, timeline
from support.models import Case, CaseEvent
from tests.queries import assert_same_queries, queries_for
from tests.shop.factories import UserFactory, deliver, placed_order
from tests.support.factories import customer_asks_for_call, file_question

pytestmark = pytest.mark.django_db
State = CallbackRequest.State
ALL_STEPS = (
    "scheduled → dialling → ringing → no answer → dialling → ringing → "
    "connected → completed"
)


def change_url(case):
    return reverse("admin:support_case_change", args=[case.pk])


def the_timeline(page: str) -> str:
    """The timeline's HTML on the case page."""
    return re.search(r'<ol class="case-timeline">.*?</ol>', page, re.S).group(0)


def unfolded(html: str) -> str:
    """What shows without opening a fold."""
    return re.sub(r"<details.*?</details>", "", html, flags=re.S)


def case_with_a_call():
    customer = UserFactory(phone="+819012345678")
    order = placed_order(customer)
    deliver(order)
    return file_question(order.lines.get(), "Please call me about the lid.")


def status(callback, value):
    callback.refresh_from_db()
    callback_services.record_status(
        reference=callback.reference, call_sid=callback.call_sid, status=value
    )


@pytest.fixture
def taken_call(settings, django_capture_on_commit_callbacks):
    """A case whose call went through many states: dialled, rang, no answer,
    dialled again at once, rang, connected, waited, taken by an agent,
    completed."""
    settings.CALLBACKS_RETRY_DELAY = 0
    case = case_with_a_call()
    taker = UserFactory(is_staff=True, display_name="Aiko", phone="+819099998888")
    with django_capture_on_commit_callbacks(execute=True):
        customer_asks_for_call(case, later=False)
    callback = CallbackRequest.objects.get()
    for step in ["ringing", "no-answer"]:
        with django_capture_on_commit_callbacks(execute=True):
            status(callback, step)  # no answer: redialled at once
    assert len(LocmemDialer.calls) == 2
    for step in ["ringing", "in-progress"]:
        with django_capture_on_commit_callbacks(execute=True):
            status(callback, step)
    callback_services.mark_enqueued(reference=callback.reference)
    with django_capture_on_commit_callbacks(execute=True):
        assert calls.take_next_call(agent=taker, submission_key="take-it-0001") == case
        status(callback, "completed")
    callback.refresh_from_db()
    assert callback.state == State.COMPLETED
    # The call wrote many lines on the case: the page must fold them.
    assert case.events.filter(kind=CaseEvent.Kind.CALL).count() >= 12
    return case, callback


def test_a_call_through_many_states_is_one_row_with_its_progress(taken_call):
    case, callback = taken_call
    rows = timeline.timeline_rows(case)
    call_rows = [row for row in rows if row.is_call]
    assert len(call_rows) == 1
    row = call_rows[0]
    assert " → ".join(row.steps) == ALL_STEPS
    assert row.who == "Aiko"
    # The customer's request and the agent's pick-up, in plain words.
    assert len(row.notes) == 2
    assert row.notes[0].startswith("The customer asked to be called at")
    assert row.notes[1] == "Aiko took the call."
    assert callback.reference in row.provider_ids
    assert callback.call_sid in row.provider_ids
    assert callback.agent_call_sid in row.provider_ids
    # Nothing else on the timeline is about the call.
    assert [r.kind for r in rows if not r.is_call] == [
        CaseEvent.Kind.FILED,
        CaseEvent.Kind.DECISION,
        CaseEvent.Kind.DECISION,
    ]


def test_the_case_page_shows_the_call_once_and_folds_the_provider_ids(
    agent_client, taken_call
):
    case, callback = taken_call
    page = agent_client.get(change_url(case)).content.decode()
    html = the_timeline(page)
    assert html.count('class=" call"') == 1
    shown = unfolded(html)
    assert ALL_STEPS in shown
    assert "Aiko took the call." in shown
    for raw in [callback.reference, callback.call_sid, "(attempt 1)", "dialing"]:
        assert raw not in shown, raw
    # Still there for whoever needs to trace it with the provider.
    assert callback.reference in html and callback.call_sid in html
    assert "<details" in html


def test_the_timeline_costs_the_same_with_a_short_or_a_long_call(
    agent_client, taken_call, django_capture_on_commit_callbacks
):
    case, _callback = taken_call
    long_call = queries_for(agent_client, change_url(case))
    other = case_with_a_call()
    with django_capture_on_commit_callbacks(execute=True):
        customer_asks_for_call(other)  # booked for later: one state
    assert_same_queries(long_call, queries_for(agent_client, change_url(other)))


def test_a_delivered_parcel_shows_no_eta(agent_client):
    order = placed_order()
    shipment = shop_services.create_shipment_for_remaining(order=order, actor=None)
    shop_services.mark_shipped(shipment=shipment, actor=None)
    case = file_question(order.lines.get(), "Where is it?")
    shipment.refresh_from_db()
    assert shipment.estimated_delivery is not None
    page = agent_client.get(change_url(case)).content.decode()
    # As the parcel line writes it (" · ETA <date>"): a bare "ETA" may turn
    # up by chance inside a random form key on the page.
    assert " · ETA " in page

    shop_services.mark_delivered(shipment=shipment, actor=None)
    shipment.refresh_from_db()
    assert shipment.estimated_delivery is not None  # kept on the row, not shown
    page = agent_client.get(change_url(case)).content.decode()
    assert f"#{shipment.pk} Order · Delivered" in page
    assert " · ETA " not in page
    assert [p.eta for p in timeline.parcels([shipment])] == [None]


@pytest.mark.parametrize(
    ("remedy", "words"),
    [
        ("", "Wants: Not said yet"),
        (Case.Remedy.REPLACEMENT, "Wants: a replacement"),
        (Case.Remedy.REFUND, "Wants: a refund"),
    ],
)
def test_what_the_customer_wants_is_in_plain_words(agent_client, remedy, words):
    order = placed_order()
    deliver(order)
    case = file_question(order.lines.get(), "Hmm.")
    Case.objects.filter(pk=case.pk).update(remedy=remedy)
    page = agent_client.get(change_url(case)).content.decode()
    assert words in page
    assert "Wants: —" not in page


def test_provider_ids_are_taken_out_of_a_line_and_kept():
    text, ids = timeline.without_provider_ids(
        "Aiko took the call (cb_22962b4551c0e2e2)."
    )
    assert (text, ids) == ("Aiko took the call.", ["cb_22962b4551c0e2e2"])
    sid = "CA" + "0123456789abcdef" * 2
    assert timeline.without_provider_ids(f"{sid} no-answer") == ("no-answer", [sid])
    assert timeline.without_provider_ids("CANCELLED by the customer")[1] == []


def test_the_case_page_names_states_in_agents_words(agent_client, agent):
    order = placed_order()
    deliver(order)
    case = file_question(order.lines.get(), "Hmm.")
    Case.objects.filter(pk=case.pk).update(status=Case.Status.WAITING_FOR_CUSTOMER)
    page = agent_client.get(change_url(case)).content.decode()
    assert "<strong>Waiting for customer</strong>" in page
    assert "Waiting for your reply" not in page
