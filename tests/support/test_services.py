"""Support cases end to end through the services: each problem, the
guardrails, and who may file."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format
from phonenumber_field.phonenumber import PhoneNumber

from callbacks.models import CallbackRequest
from shop import selectors as shop_selectors
from shop import services as shop_services
from shop.models import Product, Refund, Shipment
from shop.payments import TestPaymentProvider
from support import services
from support.exceptions import CaseClosed, NotYourLine, SupportError
from support.models import Case, CaseEvent
from tests.gifts.factories import ask_to_return, give
from tests.shop.factories import ProductFactory, UserFactory, deliver, placed_order
from tests.support.factories import customer_asks_for_call, file_question
from tests.wishlist.factories import WishListItemFactory

pytestmark = pytest.mark.django_db

P = Case.Problem
K = CaseEvent.Kind


@pytest.fixture
def order():
    """Four of five delivered: two ink cartridges were ordered."""
    placed = placed_order(
        None,
        (ProductFactory(name="Yellow ink", price=1650, stock_on_hand=10), 2),
        (ProductFactory(name="Printer", price=12800, stock_on_hand=5), 1),
    )
    deliver(placed)
    return placed


def line(order, name):
    return order.lines.get(name=name)


def kinds(case):
    return list(case.events.values_list("kind", "is_public"))


def test_missing_item_is_reshipped_at_once_without_proof(order):
    case = services.file_case(
        customer=order.buyer,
        order_line=line(order, "Yellow ink"),
        problem=P.MISSING_ITEM,
        quantity=1,
    )
    assert case.status == Case.Status.RESOLVED
    replacement = order.shipments.get(reason=Shipment.Reason.REPLACEMENT)
    assert [(sl.order_line.name, sl.quantity) for sl in replacement.lines.all()] == [
        ("Yellow ink", 1)
    ]
    assert kinds(case) == [(K.FILED, True), (K.REPLACEMENT, True)]
    body = case.events.get(kind=K.REPLACEMENT).body
    assert date_format(replacement.estimated_delivery, "DATE_FORMAT") in body
    assert Product.objects.get(name="Yellow ink").stock_on_hand == 7


def test_filing_again_returns_the_open_case(order):
    first = file_question(line(order, "Printer"), "Question")
    again = file_question(line(order, "Printer"), "Question again")
    assert first == again
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("setting", "value", "reason"),
    [
        ("SUPPORT_NO_PROOF_MAX_VALUE", 1000, "value limit"),
        ("SUPPORT_NO_PROOF_RESHIPS_PER_YEAR", 0, "no-proof reships"),
    ],
)
def test_missing_item_guardrails_hand_over_to_an_agent(
    order, settings, setting, value, reason
):
    setattr(settings, setting, value)
    case = services.file_case(
        customer=order.buyer,
        order_line=line(order, "Yellow ink"),
        problem=P.MISSING_ITEM,
    )
    assert case.status == Case.Status.NEW
    assert not order.shipments.filter(reason=Shipment.Reason.REPLACEMENT).exists()
    internal = case.events.get(kind=K.DECISION, is_public=False)
    assert reason in internal.body


def test_the_yearly_no_proof_limit_counts_past_reships(settings):
    settings.SUPPORT_NO_PROOF_RESHIPS_PER_YEAR = 1
    buyer = UserFactory()
    orders = [
        placed_order(buyer, (ProductFactory(stock_on_hand=9), 1)) for _ in range(2)
    ]
    for placed in orders:
        deliver(placed)
    first, second = (
        services.file_case(
            customer=buyer, order_line=o.lines.get(), problem=P.MISSING_ITEM
        )
        for o in orders
    )
    assert (first.status, second.status) == (Case.Status.RESOLVED, Case.Status.NEW)


def test_missing_item_out_of_stock_goes_to_an_agent(order):
    Product.objects.filter(name="Yellow ink").update(stock_on_hand=0)
    case = services.file_case(
        customer=order.buyer,
        order_line=line(order, "Yellow ink"),
        problem=P.MISSING_ITEM,
    )
    assert case.status == Case.Status.NEW
    assert "out of stock" in case.events.get(kind=K.DECISION, is_public=False).body


def test_missing_documents_link_the_manual_and_post_the_papers(order):
    Product.objects.filter(name="Printer").update(
        manual_url="https://hoshii.example/manuals/px-200.pdf",
        documents=Product.Documents.BOTH,
    )
    case = services.file_case(
        customer=order.buyer,
        order_line=line(order, "Printer"),
        problem=P.MISSING_DOCUMENTS,
    )
    assert case.status == Case.Status.RESOLVED
    assert "https://hoshii.example/manuals/px-200.pdf" in case.events.last().body
    assert order.shipments.filter(reason=Shipment.Reason.DOCUMENTS).count() == 1


def test_damaged_refund_chosen_by_the_customer_goes_to_the_card(order):
    case = services.file_case(
        customer=order.buyer,
        order_line=line(order, "Printer"),
        problem=P.DAMAGED,
        remedy=Case.Remedy.REFUND,
    )
    assert case.status == Case.Status.RESOLVED
    refund = Refund.objects.get()
    assert (refund.amount, refund.method, refund.reference) == (
        12800,
        Refund.Method.CARD,
        f"case-{case.pk}",
    )
    with pytest.raises(SupportError, match="already"):
        services.refund(case=case, actor=UserFactory(is_staff=True))
    assert Refund.objects.count() == 1


def test_defective_replacement_chosen_by_the_customer(order):
    case = services.file_case(
        customer=order.buyer,
        order_line=line(order, "Printer"),
        problem=P.DEFECTIVE,
        remedy=Case.Remedy.REPLACEMENT,
    )
    assert case.status == Case.Status.RESOLVED
    assert order.shipments.filter(reason=Shipment.Reason.REPLACEMENT).exists()


def test_above_the_self_service_limit_an_agent_decides(order, settings):
    settings.SUPPORT_SELF_SERVICE_MAX_VALUE = 5000
    case = services.file_case(
        customer=order.buyer,
        order_line=line(order, "Printer"),
        problem=P.WRONG_ITEM,
        remedy=Case.Remedy.REFUND,
    )
    assert case.status == Case.Status.NEW
    assert not Refund.objects.exists()


def test_not_delivered_within_the_window_shows_tracking_then_an_agent_decides():
    placed = placed_order()
    shipment = shop_services.create_shipment_for_remaining(order=placed, actor=None)
    shop_services.mark_shipped(shipment=shipment, actor=None, tracking_number="T-77")
    case = services.file_case(
        customer=placed.buyer, order_line=placed.lines.get(), problem=P.NOT_DELIVERED
    )
    assert case.status == Case.Status.WAITING_FOR_CUSTOMER
    assert "T-77" in case.events.get(kind=K.DECISION).body
    services.close(case=case, actor=placed.buyer)

    Shipment.objects.filter(pk=shipment.pk).update(
        shipped_at=timezone.now() - datetime.timedelta(days=30)
    )
    late = services.file_case(
        customer=placed.buyer, order_line=placed.lines.get(), problem=P.NOT_DELIVERED
    )
    assert late.status == Case.Status.NEW
    assert "window" in late.events.get(kind=K.DECISION, is_public=False).body


def test_other_needs_a_description():
    placed = placed_order()
    with pytest.raises(SupportError):
        services.file_case(
            customer=placed.buyer, order_line=placed.lines.get(), problem=P.OTHER
        )
    assert not Case.objects.exists()


def test_a_line_of_someone_elses_order_cannot_be_filed():
    placed = placed_order()
    with pytest.raises(NotYourLine):
        services.file_case(
            customer=UserFactory(), order_line=placed.lines.get(), problem=P.DAMAGED
        )


def test_a_gift_belongs_to_its_recipient():
    item = WishListItemFactory(product=ProductFactory(price=5000, stock_on_hand=5))
    gift = give(item)
    deliver(gift.order)
    gift_line = gift.order.lines.get()
    with pytest.raises(SupportError, match="only they can report"):
        services.file_case(
            customer=gift.giver, order_line=gift_line, problem=P.DEFECTIVE
        )
    asked = services.file_case(
        customer=gift.giver, order_line=gift_line, problem=P.NOT_DELIVERED
    )
    assert asked.customer == gift.giver

    case = services.file_case(
        customer=gift.recipient,
        order_line=gift_line,
        problem=P.DEFECTIVE,
        remedy=Case.Remedy.REFUND,
    )
    assert case.is_gift and case.status == Case.Status.RESOLVED
    assert shop_selectors.store_credit_balance(user=gift.recipient) == 5000
    assert shop_selectors.store_credit_balance(user=gift.giver) == 0
    assert not Refund.objects.exists()  # the giver's payment is untouched
    # The giver sees nothing of the recipient's case.
    assert not Case.objects.filter(customer=gift.giver, problem=P.DEFECTIVE).exists()


def test_replies_email_the_customer_and_messages_reopen(
    order, django_capture_on_commit_callbacks
):
    agent = UserFactory(is_staff=True, email="agent@example.com")
    case = file_question(line(order, "Printer"), "<script>alert(1)</script> help")
    services.assign_case(case=case, agent=agent, actor=agent)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(case=case, actor=agent, body="We're on it.")
    assert mail.outbox[-1].to == [order.buyer.email]
    assert "We're on it." in mail.outbox[-1].body
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING_FOR_CUSTOMER
    assert case.first_responded_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        services.post_customer_message(case=case, customer=order.buyer, body="Thanks")
    assert mail.outbox[-1].to == ["agent@example.com"]
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING_FOR_AGENT

    services.resolve(case=case, actor=agent)
    services.post_customer_message(case=case, customer=order.buyer, body="Still broken")
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING_FOR_AGENT

    services.close(case=case, actor=agent)
    with pytest.raises(CaseClosed):
        services.post_customer_message(case=case, customer=order.buyer, body="Hello?")
    with pytest.raises(NotYourLine):
        services.post_customer_message(case=case, customer=agent, body="Not mine")
    assert [k for k, _public in kinds(case)] == [
        K.FILED, K.DECISION, K.DECISION, K.ASSIGNED, K.REPLY, K.CUSTOMER_MESSAGE,
        K.RESOLVED, K.CUSTOMER_MESSAGE, K.CLOSED,
    ]  # fmt: skip


def test_reopen_refuses_when_another_case_is_open(order):
    agent = UserFactory(is_staff=True)
    first = file_question(line(order, "Printer"), "x")
    services.close(case=first, actor=agent)
    file_question(line(order, "Printer"), "x")
    with pytest.raises(SupportError, match="already open"):
        services.reopen(case=first, actor=agent)


def test_a_returned_gift_cannot_also_be_refunded_on_a_case():
    from gifts import services as gift_services

    gift = give(
        WishListItemFactory(product=ProductFactory(price=5000, stock_on_hand=5))
    )
    deliver(gift.order)
    gift_return = ask_to_return(gift)
    gift_services.receive_return(gift_return=gift_return, actor=None)
    case = services.file_case(
        customer=gift.recipient, order_line=gift.order.lines.get(), problem=P.DEFECTIVE
    )
    with pytest.raises(SupportError, match="as far as it can be"):
        services.refund(case=case, actor=UserFactory(is_staff=True))
    assert shop_selectors.store_credit_balance(user=gift.recipient) == 5000


# --- Resolving a case whose call is booked (item 6) -------------------------


def _case_with_a_booked_call(order):
    case = file_question(line(order, "Printer"), "Can it print on card?")
    callback = customer_asks_for_call(
        case, number=PhoneNumber.from_string("+819012345678")
    )
    return case, callback


@pytest.mark.parametrize(
    ("verb", "status", "why"),
    [("resolve", "resolved", "as this is sorted"), ("close", "closed", "is closed")],
)
def test_resolving_or_closing_cancels_a_booked_call_and_tells_the_customer(
    order, django_capture_on_commit_callbacks, verb, status, why
):
    case, callback = _case_with_a_booked_call(order)
    agent = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        getattr(services, verb)(case=case, actor=agent)
    case.refresh_from_db()
    callback.refresh_from_db()
    assert (case.status, callback.state) == (status, CallbackRequest.State.CANCELLED)
    notice = case.events.get(kind=K.CALL, is_public=True, actor=agent)
    assert "We've cancelled the call booked for" in notice.body
    assert why in notice.body
    assert mail.outbox[-1].to == [order.buyer.email]
    assert notice.body in mail.outbox[-1].body


@pytest.mark.parametrize("state", ["dialing", "ringing", "in_progress"])
@pytest.mark.parametrize("verb", ["resolve", "close"])
def test_resolving_or_closing_while_the_customer_is_on_the_phone_is_refused(
    order, state, verb
):
    case, callback = _case_with_a_booked_call(order)
    CallbackRequest.objects.filter(pk=callback.pk).update(state=state)
    agent = UserFactory(is_staff=True)
    assert verb not in services.allowed_actions(case=case, actor=agent)
    with pytest.raises(SupportError, match="on the phone"):
        getattr(services, verb)(case=case, actor=agent)
    case.refresh_from_db()
    assert case.is_open
    assert CallbackRequest.objects.get().state == state


def test_a_remedy_given_while_a_call_is_booked_leaves_the_case_open(order):
    case, _callback = _case_with_a_booked_call(order)
    services.reship(case=case, actor=UserFactory(is_staff=True))
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING_FOR_AGENT
    assert CallbackRequest.objects.get().state == CallbackRequest.State.SCHEDULED


# --- What an agent may do, and once (item 5) --------------------------------


def test_allowed_actions_follow_the_case_state(order):
    agent = UserFactory(is_staff=True)
    case = file_question(line(order, "Printer"), "x")
    everything = set(services.AGENT_ACTIONS)
    assert services.allowed_actions(case=case) == everything - {"reopen"}
    services.assign_case(case=case, agent=agent, actor=agent)
    case.refresh_from_db()
    assert "assign" not in services.allowed_actions(case=case, actor=agent)
    services.resolve(case=case, actor=agent)
    case.refresh_from_db()
    assert services.allowed_actions(case=case) == {
        "assign", "reply", "note", "close", "reopen",
    }  # fmt: skip
    for verb, kwargs in [
        (services.reship, {}),
        (services.refund, {}),
        (services.issue_credit, {"amount": 500, "reason": ""}),
    ]:
        with pytest.raises(SupportError, match="reopen it"):
            verb(case=case, actor=agent, **kwargs)
    services.close(case=case, actor=agent)
    case.refresh_from_db()
    assert services.allowed_actions(case=case) == {"note", "reopen"}
    assert not order.shipments.filter(reason=Shipment.Reason.REPLACEMENT).exists()
    assert not Refund.objects.exists()
    assert shop_selectors.store_credit_balance(user=order.buyer) == 0


def test_each_agent_verb_acts_once_per_submission(order):
    agent = UserFactory(is_staff=True)
    case = file_question(line(order, "Printer"), "x")
    stock = Product.objects.get(name="Printer").stock_on_hand
    for _ in range(2):
        services.reply(case=case, actor=agent, body="Hi", submission_key="k" * 22)
        services.issue_credit(
            case=case, actor=agent, amount=300, reason="", submission_key="c" * 22
        )
        first = services.reship(case=case, actor=agent, submission_key="r" * 22)
    assert first is not None
    assert case.events.filter(kind=K.REPLY).count() == 1
    assert shop_selectors.store_credit_balance(user=order.buyer) == 300
    assert Product.objects.get(name="Printer").stock_on_hand == stock - 1
    assert case.events.filter(kind=K.REPLACEMENT).count() == 1


def _refunded_at_the_provider(order, amount):
    """Someone refunded the card on the provider's dashboard, not through us."""
    TestPaymentProvider().refund(
        reference=order.payments.get().reference,
        amount=amount,
        idempotency_key="dashboard",
    )


def test_a_refund_the_provider_refuses_is_a_decision_on_the_case_not_silence(order):
    _refunded_at_the_provider(order, order.total - 1000)  # 1,000 left there
    agent = UserFactory(is_staff=True)
    case = file_question(line(order, "Printer"), "It arrived crushed.")
    with pytest.raises(SupportError, match=r"refused the refund: .*¥1,000 left"):
        services.refund(case=case, actor=agent)
    case.refresh_from_db()
    assert case.status != Case.Status.RESOLVED
    refused = case.events.get(kind=K.DECISION, actor=agent)
    assert not refused.is_public
    assert "¥1,000 left" in refused.body
    assert not case.events.filter(kind=K.REFUND).exists()
    assert Refund.objects.get().status == Refund.Status.FAILED
    # A second click says the same, and adds nothing.
    with pytest.raises(SupportError, match="refused the refund"):
        services.refund(case=case, actor=agent)
    assert case.events.filter(kind=K.DECISION, actor=agent).count() == 1


def test_an_automatic_refund_the_provider_refuses_goes_to_an_agent(order):
    _refunded_at_the_provider(order, order.total)
    case = services.file_case(
        customer=order.buyer,
        order_line=line(order, "Printer"),
        problem=P.DAMAGED,
        remedy=Case.Remedy.REFUND,
    )
    assert case.status != Case.Status.RESOLVED
    assert kinds(case) == [(K.FILED, True), (K.DECISION, False), (K.DECISION, True)]
    assert "refused the refund" in case.events.get(is_public=False).body
    assert Refund.objects.get().status == Refund.Status.FAILED
