"""The "Get help" POST with "call me now" is the support path customers hit
hardest (``benchmarks/bench.py``'s support scenario): its queries are
pinned, and printed when the count is wrong (docs/benchmarks.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from callbacks import services as callback_services
from callbacks.dialers import LocmemDialer
from callbacks.models import CallbackEvent, CallbackRequest
from core import submissions
from shop import services as shop_services
from support.models import Case, CaseEvent
from tests.shop.factories import ProductFactory, UserFactory, placed_order
from tests.support.factories import CaseFactory, help_form

pytestmark = pytest.mark.django_db

# The user (session middleware); the order, its lines with their gift
# lines (one ``order_for_help``, read once for the page's rules and the
# service's); the earlier case of this submission or the open one about
# this line, in one query; then the filing's transaction (a savepoint here,
# the test's own transaction around it; BEGIN and COMMIT, not counted, in
# production): the case, the call and its history (no look for an active
# call: the case is new), and the case's entries (filed, asked for a call,
# handed to an agent and why, the call booked) in one insert. Nothing is
# written after commit: 8 in all in the benchmark.
GET_HELP_WITH_A_CALL = 10


@pytest.fixture
def order(client):
    placed = placed_order(
        UserFactory(phone="+819012345678"),
        (ProductFactory(name="teapot", stock_on_hand=9), 2),
    )
    shipment = shop_services.create_shipment_for_remaining(order=placed, actor=None)
    shop_services.mark_shipped(shipment=shipment, actor=None)
    client.force_login(placed.buyer)
    return placed


def call_me_now(order) -> dict:
    """The form as the benchmark sends it: something else, call me now."""
    return help_form(
        order,
        problem=Case.Problem.OTHER,
        contact=Case.Contact.CALL_NOW,
        phone="090-1234-5678",
        description="The lid is missing.",
        submission=submissions.new_key(),
    )


def test_get_help_with_call_me_now_costs_a_fixed_number_of_queries(client, order):
    data = call_me_now(order)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("support:get_help", args=[order.pk]), data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    if len(captured) != GET_HELP_WITH_A_CALL:
        listing = "\n".join(
            f"  {n}: {query['sql'][:300]}"
            for n, query in enumerate(captured.captured_queries)
        )
        raise AssertionError(
            f"{len(captured)} queries, expected {GET_HELP_WITH_A_CALL}:\n{listing}"
        )
    # Nothing was left out to get there: the case, its entries in order,
    # the call booked now with its history.
    callback = CallbackRequest.objects.get()
    assert callback.subject == f"support.case:{case.pk}"
    assert str(callback.number) == "+819012345678"
    assert callback.requested_by == order.buyer
    assert callback.state == CallbackRequest.State.SCHEDULED
    assert CallbackEvent.objects.filter(callback=callback).count() == 1
    assert list(case.events.values_list("kind", "is_public", "message")) == [
        (CaseEvent.Kind.FILED, True, ""),
        (CaseEvent.Kind.CALL, False, "customer_asked_for_call"),
        (CaseEvent.Kind.DECISION, False, "needs_a_person"),
        (CaseEvent.Kind.DECISION, True, "agent_will_look"),
        # The booking's lines, with the case (not after commit).
        (CaseEvent.Kind.CALL, True, "call:scheduled"),
        (CaseEvent.Kind.CALL, False, ""),
    ]
    assert case.status == Case.Status.NEW


def test_the_bookings_lines_are_written_once_with_the_case(
    client, order, django_capture_on_commit_callbacks
):
    """The call's announcement after commit, booked with the new case,
    writes nothing more: "We'll call you" is on the timeline once, in the
    filing's own transaction, with the call's reference for staff."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("support:get_help", args=[order.pk]), call_me_now(order))
    case = Case.objects.get()
    callback = CallbackRequest.objects.get()
    calls = case.events.filter(kind=CaseEvent.Kind.CALL, actor=None)
    (public,) = calls.filter(is_public=True, message="call:scheduled")
    (internal,) = calls.filter(
        is_public=False, body__startswith=f"{callback.reference} scheduled "
    )
    assert public.pk < internal.pk
    assert "call" in public.body


def test_a_refused_call_files_the_case_without_it_in_as_few_queries(
    client, order, settings
):
    """A number the line won't call: the case is filed, the customer told
    why, and nothing of the call is written."""
    data = {**call_me_now(order), "phone": "+1 650 253 0000"}
    settings.CALLBACKS_ALLOWED_COUNTRIES = ["JP"]
    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("support:get_help", args=[order.pk]), data)
    case = Case.objects.get()
    assert response["Location"] == case.get_absolute_url()
    assert not CallbackRequest.objects.exists()
    assert list(case.events.values_list("kind", flat=True)) == [
        CaseEvent.Kind.FILED,
        CaseEvent.Kind.DECISION,
        CaseEvent.Kind.DECISION,
    ]
    assert len(captured) <= GET_HELP_WITH_A_CALL
    page = client.get(response["Location"])
    assert "We couldn&#x27;t arrange the call" in page.content.decode()


# The worker's side of the same call (``callbacks.services.dial``): is it
# still due; the claim (the row moved to dialing with its history line, one
# statement that commits by itself); after that commit, the call's two lines
# on the case, written with the case's id from the call's subject (one
# insert, all or nothing by itself: no BEGIN and COMMIT); then the
# provider's call id saved.
DIAL_A_SUPPORT_CALL = 4


def due_call(subject: str) -> CallbackRequest:
    """A call booked for now whose wake-up is not queued: the test dials it."""
    return CallbackRequest.objects.create(
        subject=subject,
        number="+819012345678",
        script="Hello",
        queue="support",
        due_at=timezone.now(),
    )


@pytest.mark.django_db(transaction=True)
def test_dialling_a_support_call_costs_a_fixed_number_of_queries():
    case = CaseFactory()
    callback = due_call(f"support.case:{case.pk}")
    with CaptureQueriesContext(connection) as captured:
        assert callback_services.dial(callback_id=callback.pk) is None
    if len(captured) != DIAL_A_SUPPORT_CALL:
        listing = "\n".join(
            f"  {n}: {query['sql'][:300]}"
            for n, query in enumerate(captured.captured_queries)
        )
        raise AssertionError(
            f"{len(captured)} queries, expected {DIAL_A_SUPPORT_CALL}:\n{listing}"
        )
    callback.refresh_from_db()
    (placed,) = LocmemDialer.calls
    assert (callback.state, callback.attempts) == (CallbackRequest.State.DIALING, 1)
    assert callback.call_sid == placed["sid"]
    assert callback.dialing_started_at is not None
    assert list(callback.events.values_list("from_state", "to_state", "detail")) == [
        ("scheduled", "dialing", "attempt 1")
    ]
    lines = list(case.events.values_list("kind", "is_public", "message", "body"))
    assert lines == [
        (CaseEvent.Kind.CALL, True, "call:dialing", lines[0][3]),
        (
            CaseEvent.Kind.CALL,
            False,
            "",
            f"{callback.reference} dialing (attempt 1) attempt 1",
        ),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_call_whose_subject_names_no_case_is_dialled_and_writes_no_lines():
    """The lines are written by the subject's case id without reading the
    case: one that is not there refuses them, quietly, and the call goes on."""
    callback = due_call("support.case:999999")
    assert callback_services.dial(callback_id=callback.pk) is None
    callback.refresh_from_db()
    assert callback.state == CallbackRequest.State.DIALING
    assert callback.call_sid
    assert not CaseEvent.objects.exists()


# The customer's case page, where the POST lands: the user (session
# middleware); the case with its line, order, gift and list; its public
# timeline (no agents' rows: the customer's timeline names none); its
# latest call; the header's cart count. The same with a long timeline.
CASE_PAGE = 5


def test_the_case_page_costs_a_fixed_number_of_queries(client, order):
    response = client.post(
        reverse("support:get_help", args=[order.pk]), call_me_now(order)
    )
    case = Case.objects.get()
    with CaptureQueriesContext(connection) as short:
        page = client.get(response["Location"])
    assert page.status_code == 200
    assert len(short) == CASE_PAGE, [query["sql"][:200] for query in short]
    agent = UserFactory(is_staff=True, display_name="Agent Secret-Name")
    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, kind=CaseEvent.Kind.REPLY, actor=agent, body=f"Reply {n}")
        for n in range(20)
    )
    with CaptureQueriesContext(connection) as long:
        page = client.get(response["Location"])
    assert len(long) == CASE_PAGE
    html = page.content.decode()
    assert "Reply 19" in html and "Hoshii support" in html
    assert "Secret-Name" not in html
