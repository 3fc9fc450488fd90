"""The "Get help" POST with "call me now" is the support path customers hit
hardest (``benchmarks/bench.py``'s support scenario): its queries are
pinned, and printed when the count is wrong (docs/benchmarks.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from callbacks.models import CallbackEvent, CallbackRequest
from core import submissions
from shop import services as shop_services
from support.models import Case, CaseEvent
from tests.shop.factories import ProductFactory, UserFactory, placed_order
from tests.support.factories import help_form

pytestmark = pytest.mark.django_db

# The user (session middleware); the order, its lines with their gift
# lines (one ``order_for_help``, read once for the page's rules and the
# service's); the earlier case of this submission or the open one about
# this line, in one query; then the filing's transaction (a savepoint here,
# the test's own transaction around it; BEGIN and COMMIT, not counted, in
# production): the case, the call's duplicate check, the call and its
# history, and the case's entries (filed, asked for a call, handed to an
# agent and why) in one insert. After commit (not run here) the call's
# "scheduled" lines are written: 2 more, 11 in all in the benchmark.
GET_HELP_WITH_A_CALL = 11


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
    ]
    assert case.status == Case.Status.NEW


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
