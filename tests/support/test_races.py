"""Every state-changing POST of support, sent twice at the same moment.

Two real requests on two threads, each with its own connection, from one
browser's cookies (``post_together``) on PostgreSQL with ``transaction=True``:
one effect, no 500, and the second request shown the first one's result.
"""

import pytest
from django.core import mail
from django.urls import reverse

from callbacks import services as callback_services
from callbacks.dialers import LocmemDialer
from callbacks.models import CallbackEvent, CallbackRequest
from core import submissions
from shop import selectors as shop_selectors
from shop.models import Product, Refund, Shipment
from support import calls, services
from support.models import Case, CaseEvent
from tests.concurrency import post_together, run_together
from tests.double_submit import assert_same_result, messages_of
from tests.gifts.factories import give
from tests.shop.factories import ProductFactory, UserFactory, deliver, placed_order
from tests.support.factories import customer_asks_for_call, file_question, help_form
from tests.support.test_admin import SAID
from tests.wishlist.factories import WishListItemFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

K = CaseEvent.Kind
State = CallbackRequest.State
PHONE = "090-1234-5678"


def delivered(customer=None, *, price=3000, manual_url="", documents="none"):
    order = placed_order(
        customer or UserFactory(phone="+819012345678"),
        (
            ProductFactory(
                price=price,
                stock_on_hand=5,
                manual_url=manual_url,
                documents=documents,
            ),
            1,
        ),
    )
    deliver(order)
    return order


def case_for(client):
    """A question on a delivered order, its buyer signed in on ``client``."""
    order = delivered()
    client.force_login(order.buyer)
    return file_question(order.lines.get(), "The lid sticks.")


# --- Item 3: "Get help" with "call me now", sent twice ----------------------


@pytest.mark.parametrize("problem", ["missing_documents", "missing_item"])
def test_get_help_with_call_me_now_sent_twice_files_one_case_and_one_call(
    client, problem
):
    """Before: two cases, two parcels and two calls, or a 500 on the
    one-active-call index. Documents (or the missing item) ship at once and
    would resolve the case, so only the submission key tells the twin."""
    order = delivered(manual_url="https://hoshii.example/manual.pdf", documents="both")
    client.force_login(order.buyer)
    form = help_form(
        order,
        problem=problem,
        contact="call_now",
        phone=PHONE,
        submission=submissions.new_key(),
    )
    responses = post_together(
        client, reverse("support:get_help", args=[order.pk]), form
    )

    case = Case.objects.get()
    assert assert_same_result(responses) == case.get_absolute_url()
    assert order.shipments.exclude(reason=Shipment.Reason.ORDER).count() == 1
    assert CallbackRequest.objects.get().subject == calls.subject_for(case)
    assert len(LocmemDialer.calls) == 1
    # The customer asked to talk to someone: the parcel went and the call
    # stands, so the case is not shown as sorted (item 6).
    assert case.status == Case.Status.WAITING_FOR_AGENT

    # The same form once more, long after: still that case, nothing new.
    again = client.post(reverse("support:get_help", args=[order.pk]), form)
    assert again["Location"] == case.get_absolute_url()
    assert Case.objects.count() == CallbackRequest.objects.count() == 1
    assert order.shipments.exclude(reason=Shipment.Reason.ORDER).count() == 1


def test_two_call_requests_for_one_case_at_once_make_one_call(client):
    """Two tabs (two different submissions): before, the second insert hit
    the one-active-call index and the customer got a 500."""
    case = case_for(client)

    def ask():
        return customer_asks_for_call(case, submission_key=submissions.new_key())

    first, second = run_together([ask, ask])

    assert isinstance(first, CallbackRequest), first
    assert isinstance(second, CallbackRequest), second
    assert first.pk == second.pk == CallbackRequest.objects.get().pk


def test_call_me_now_pressed_twice_on_the_case_page_makes_one_call(client):
    case = case_for(client)
    form = {"when": "now", "phone": PHONE, "submission": submissions.new_key()}
    responses = post_together(client, reverse("support:call", args=[case.pk]), form)

    assert assert_same_result(responses) == case.get_absolute_url()
    assert [messages_of(r) for r in responses] == [[], []]
    callback = CallbackRequest.objects.get()
    assert len(LocmemDialer.calls) == 1
    assert callback.events.filter(to_state=State.SCHEDULED).count() == 1
    assert (
        case.events.filter(kind=K.CALL, is_public=False, actor=case.customer).count()
        == 1
    )


def test_switching_to_now_twice_at_once_moves_the_call_once(client):
    case = case_for(client)
    customer_asks_for_call(case)  # in five minutes
    form = {"when": "now", "phone": PHONE, "submission": submissions.new_key()}
    responses = post_together(client, reverse("support:call", args=[case.pk]), form)

    assert assert_same_result(responses) == case.get_absolute_url()
    callback = CallbackRequest.objects.get()
    # Booked, then moved to now once, then dialled once.
    assert list(
        CallbackEvent.objects.filter(callback=callback).values_list(
            "to_state", flat=True
        )
    ) == [State.SCHEDULED, State.SCHEDULED, State.DIALING]
    assert len(LocmemDialer.calls) == 1


def test_cancel_the_call_twice_at_once(client):
    case = case_for(client)
    customer_asks_for_call(case)  # in five minutes
    responses = post_together(
        client,
        reverse("support:cancel_call", args=[case.pk]),
        {"submission": submissions.new_key()},
    )

    assert assert_same_result(responses) == case.get_absolute_url()
    assert [messages_of(r) for r in responses] == [
        ["Call cancelled."],
        ["Call cancelled."],
    ]
    assert CallbackRequest.objects.get().state == State.CANCELLED
    assert CallbackEvent.objects.filter(to_state=State.CANCELLED).count() == 1
    assert LocmemDialer.calls == []


def test_a_message_sent_twice_at_once_is_posted_once(client):
    case = case_for(client)
    responses = post_together(
        client,
        reverse("support:message", args=[case.pk]),
        {"body": "It still sticks.", "submission": submissions.new_key()},
    )

    assert assert_same_result(responses) == case.get_absolute_url()
    sent = "Sent. We'll reply here and by email."
    assert [messages_of(r) for r in responses] == [[sent], [sent]]
    assert case.events.filter(kind=K.CUSTOMER_MESSAGE).count() == 1


# --- Item 5: the agents' buttons, clicked twice -----------------------------


def _effects(case: Case) -> dict:
    """Everything an agent's button can change, to compare one click with two."""
    case.refresh_from_db()
    return {
        "status": case.status,
        "assigned": case.assigned_to_id,
        "events": sorted(case.events.values_list("kind", flat=True)),
        "emails": len(mail.outbox),
        "parcels": case.order.shipments.count(),
        "stock": Product.objects.get(pk=case.order_line.product_id).stock_on_hand,
        "refunds": Refund.objects.count(),
        "credit": shop_selectors.store_credit_balance(user=case.customer),
    }


ACTIONS = [
    ("assign", {}, {"assigned": True, "events": [K.ASSIGNED]}),
    ("reply", {"body": "On its way."}, {"events": [K.REPLY], "emails": 1}),
    ("note", {"body": "Checked the batch."}, {"events": [K.NOTE]}),
    ("reship", {"confirmed": "1"}, {"events": [K.REPLACEMENT], "parcels": 1}),
    ("refund", {"confirmed": "1"}, {"events": [K.REFUND], "refunds": 1}),
    (
        "credit",
        {"confirmed": "1", "amount": "500", "reason": "Sorry"},
        {"events": [K.STORE_CREDIT], "credit": 500},
    ),
    ("resolve", {}, {"events": [K.RESOLVED]}),
    ("close", {}, {"events": [K.CLOSED]}),
    ("reopen", {}, {"events": [K.REOPENED]}),
]


@pytest.mark.parametrize(
    ("action", "data", "effect"), ACTIONS, ids=[a[0] for a in ACTIONS]
)
def test_an_agent_button_clicked_twice_at_once_acts_once(
    agent_client, agent, action, data, effect
):
    """Before: a second click on Reship shipped a second parcel and store
    credit was given twice."""
    case = file_question(delivered().lines.get(), "The lid sticks.")
    if action == "reopen":
        services.resolve(case=case, actor=agent)
    mail.outbox.clear()
    before = _effects(case)

    url = reverse("admin:support_case_act", args=[case.pk, action])
    form = {**data, "submission": submissions.new_key()}
    responses = post_together(agent_client, url, form)

    assert assert_same_result(responses) == reverse(
        "admin:support_case_change", args=[case.pk]
    )
    said = f"Assigned to {agent}." if action == "assign" else SAID[action]
    assert [messages_of(r) for r in responses] == [[said], [said]]
    after = _effects(case)
    assert sorted(set(after["events"]) - set(before["events"])) == effect["events"]
    assert len(after["events"]) == len(before["events"]) + 1
    assert after["emails"] - before["emails"] == effect.get("emails", 0)
    assert after["parcels"] - before["parcels"] == effect.get("parcels", 0)
    assert before["stock"] - after["stock"] == effect.get("parcels", 0)
    assert after["refunds"] - before["refunds"] == effect.get("refunds", 0)
    assert after["credit"] - before["credit"] == effect.get("credit", 0)
    if "assigned" in effect:
        assert after["assigned"] == agent.pk


def test_a_gift_refund_clicked_twice_at_once_credits_the_recipient_once(
    agent_client,
):
    gift = give(
        WishListItemFactory(product=ProductFactory(price=5000, stock_on_hand=5))
    )
    deliver(gift.order)
    case = services.file_case(
        customer=gift.recipient,
        order_line=gift.order.lines.get(),
        problem=Case.Problem.DEFECTIVE,
    )
    responses = post_together(
        agent_client,
        reverse("admin:support_case_act", args=[case.pk, "refund"]),
        {"confirmed": "1", "submission": submissions.new_key()},
    )

    assert assert_same_result(responses) == reverse(
        "admin:support_case_change", args=[case.pk]
    )
    assert [messages_of(r) for r in responses] == [[SAID["refund"]], [SAID["refund"]]]
    assert shop_selectors.store_credit_balance(user=gift.recipient) == 5000
    assert case.events.filter(kind=K.REFUND).count() == 1


# --- Item 6: resolving while a call is booked, at the same moment -----------


def test_resolve_and_a_call_request_at_once_never_leave_a_sorted_case_with_a_call(
    client, agent
):
    case = case_for(client)
    results = run_together(
        [
            lambda: services.resolve(case=case, actor=agent),
            lambda: customer_asks_for_call(case),
        ]
    )

    assert not [r for r in results if isinstance(r, BaseException)], results
    case.refresh_from_db()
    callback = CallbackRequest.objects.get()
    # Either the call came first and the resolve cancelled it, or the
    # resolve came first and the call opened the case again.
    if callback.state == State.CANCELLED:
        assert case.status == Case.Status.RESOLVED
    else:
        assert callback.state == State.SCHEDULED
        assert case.status == Case.Status.WAITING_FOR_AGENT


def test_a_call_switched_while_the_worker_dials_it_is_dialled_once(client):
    """The case page's "now instead" racing the worker's claim of the call."""
    case = case_for(client)
    callback = customer_asks_for_call(case)
    CallbackRequest.objects.filter(pk=callback.pk).update(due_at=callback.requested_at)
    run_together(
        [
            lambda: callback_services.dial(callback_id=callback.pk),
            lambda: customer_asks_for_call(
                case, later=False, submission_key=submissions.new_key()
            ),
        ]
    )
    assert CallbackRequest.objects.count() == 1
    assert len(LocmemDialer.calls) == 1
