"""The agents' desk in the admin: queues, the case page, every button, who
may use it, and what the pages cost in queries."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shop import selectors as shop_selectors
from shop import services as shop_services
from shop.exceptions import ShopError
from shop.models import Product, Refund, Shipment
from shop.payments import TestPaymentProvider
from support import services
from support.models import Case, CaseEvent
from tests.gifts.factories import give
from tests.queries import assert_same_queries, queries_for
from tests.shop.factories import (
    ProductFactory,
    UserFactory,
    deliver,
    placed_order,
    sign_in_staff,
)
from tests.support.factories import file_question
from tests.wishlist.factories import WishListItemFactory

pytestmark = pytest.mark.django_db

P = Case.Problem
K = CaseEvent.Kind
CHANGELIST = "admin:support_case_changelist"


def delivered_gift(price=5000):
    item = WishListItemFactory(product=ProductFactory(price=price, stock_on_hand=5))
    gift = give(item)
    deliver(gift.order)
    return gift


def open_case(buyer=None, *, product=None, description="Is a manual available?"):
    """An open case for an agent: a question about a delivered order."""
    order = placed_order(buyer, (product or ProductFactory(), 1))
    deliver(order)
    return file_question(order.lines.get(), description)


def change_url(case):
    return reverse("admin:support_case_change", args=[case.pk])


def act_url(case, action):
    return reverse("admin:support_case_act", args=[case.pk, action])


def act(client, case, action, **data):
    """Press a button on the case page (and "Yes, I'm sure" on the page that
    asks to confirm reship, refund or credit); the messages shown after the
    redirect."""
    if action in services.MOVES_MONEY_OR_GOODS:
        data.setdefault("confirmed", "1")
    response = client.post(act_url(case, action), data, follow=True)
    assert response.redirect_chain == [(change_url(case), 302)]
    assert response.status_code == 200
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def listed(client, query=""):
    response = client.get(reverse(CHANGELIST) + query)
    assert response.status_code == 200
    return {case.pk for case in response.context["cl"].result_list}


# What each button answers once it has acted.
SAID = {
    "reply": "Reply sent.",
    "note": "Note added.",
    "reship": "Replacement sent.",
    "refund": "Refund issued.",
    "credit": "Store credit issued.",
    "resolve": "Case resolved.",
    "close": "Case closed.",
    "reopen": "Case reopened.",
}


def said(action, agent=None):
    said = f"Assigned to {agent}." if action == "assign" else SAID[action]
    return [("success", said)]


def timeline(case):
    return list(case.events.values_list("kind", "actor", "is_public"))


# --- Queues and search ------------------------------------------------------


def test_queues_and_search_find_the_right_cases(agent_client, agent):
    colleague = UserFactory(is_staff=True)
    mine = open_case()
    services.assign_case(case=mine, agent=agent, actor=agent)
    theirs = open_case()
    services.assign_case(case=theirs, agent=colleague, actor=colleague)
    services.reply(case=theirs, actor=colleague, body="Looking into it.")
    unassigned = open_case()
    late = open_case()
    done = open_case()
    services.resolve(case=done, actor=agent)
    past = timezone.now() - datetime.timedelta(hours=1)
    # Answered or resolved cases past their due time are not overdue.
    Case.objects.filter(pk__in=[late.pk, theirs.pk, done.pk]).update(
        first_response_due_at=past
    )

    everything = {mine.pk, theirs.pk, unassigned.pk, late.pk, done.pk}
    # Open cases unless asked otherwise.
    assert listed(agent_client) == everything - {done.pk}
    assert listed(agent_client, "?queue=all") == everything
    assert listed(agent_client, "?queue=done") == {done.pk}
    assert listed(agent_client, "?queue=mine") == {mine.pk}
    assert listed(agent_client, "?queue=unassigned") == {unassigned.pk, late.pk}
    assert listed(agent_client, "?queue=overdue") == {late.pk}
    assert listed(agent_client, "?queue=open") == everything - {done.pk}

    response = agent_client.get(reverse(CHANGELIST))
    assert response.context["queue_counts"] == {
        "open": 4,
        "unassigned": 2,
        "overdue": 1,
    }
    assert "4 open" in response.content.decode()

    assert listed(agent_client, f"?q={late.customer.email}") == {late.pk}
    # Order ids also match other fields as text ("Product 12"), so others may
    # be listed too.
    assert late.pk in listed(agent_client, f"?q={late.order_id}")


# --- The case page ----------------------------------------------------------


def test_the_case_page_shows_everything_an_agent_needs(agent_client, agent):
    customer = UserFactory(phone="+819098765432")
    earlier = open_case(customer, description="Does the lid come off?")
    other_customers = open_case(description="Unrelated question")
    product = ProductFactory(name="Cast iron kettle", stock_on_hand=5)
    case = open_case(customer, product=product, description="The handle gets very hot.")
    shipment = case.order.shipments.get()
    services.add_note(case=case, actor=agent, body="Checked the batch: fine.")

    response = agent_client.get(change_url(case))
    assert response.status_code == 200
    page = response.content.decode()
    assert customer.email in page
    assert "+819098765432" in page
    assert "Cast iron kettle" in page
    assert reverse("admin:shop_order_change", args=[case.order_id]) in page
    assert "The handle gets very hot." in page
    assert f"#{shipment.pk} Order · Delivered" in page
    assert change_url(earlier) in page
    assert change_url(other_customers) not in page
    # Public and internal entries of the timeline, internal ones marked.
    assert "An agent will look at this and get back to you." in page
    assert "Needs a person to read it." in page
    assert "Checked the batch: fine." in page
    assert "<strong>internal</strong>" in page
    assert [event.kind for event in response.context["timeline"]] == [
        K.FILED,
        K.DECISION,
        K.DECISION,
        K.NOTE,
    ]
    for action in ["assign", "reship", "refund", "resolve", "close", "reply"]:
        assert act_url(case, action) in page


# --- Every button -----------------------------------------------------------


def test_every_button_works_and_writes_the_timeline(
    agent_client, agent, django_capture_on_commit_callbacks
):
    product = ProductFactory(name="Linen apron", price=2400, stock_on_hand=5)
    case = open_case(product=product)
    customer = case.customer
    assert act(agent_client, case, "assign") == said("assign", agent)
    case.refresh_from_db()
    assert case.assigned_to == agent

    with django_capture_on_commit_callbacks(execute=True):
        messages = act(agent_client, case, "reply", body="The manual is online.")
    assert messages == said("reply")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [customer.email]
    assert "The manual is online." in mail.outbox[0].body
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING_FOR_CUSTOMER
    assert case.first_responded_at is not None

    assert act(agent_client, case, "note", body="Sent the PDF link.") == said("note")
    assert case.events.get(kind=K.NOTE).is_public is False

    assert act(agent_client, case, "credit", amount="500", reason="Sorry") == said(
        "credit"
    )
    assert shop_selectors.store_credit_balance(user=customer) == 500

    for action, status in [
        ("resolve", Case.Status.RESOLVED),
        ("close", Case.Status.CLOSED),
        ("reopen", Case.Status.WAITING_FOR_AGENT),
    ]:
        assert act(agent_client, case, action) == said(action)
        case.refresh_from_db()
        assert case.status == status

    assert act(agent_client, case, "reship") == said("reship")
    replacement = case.order.shipments.get(reason=Shipment.Reason.REPLACEMENT)
    assert [(sl.order_line_id, sl.quantity) for sl in replacement.lines.all()] == [
        (case.order_line_id, 1)
    ]
    assert Product.objects.get(pk=product.pk).stock_on_hand == 3

    # The replacement resolved the case: a refund on top needs it reopened.
    [(level, message)] = act(agent_client, case, "refund")
    assert (level, "reopen it" in message) == ("error", True)
    assert not Refund.objects.exists()
    assert act(agent_client, case, "reopen") == said("reopen")
    assert act(agent_client, case, "refund") == said("refund")
    refund = Refund.objects.get()
    assert (refund.order_line_id, refund.amount) == (case.order_line_id, 2400)
    # A second refund says so and changes nothing.
    [(level, message)] = act(agent_client, case, "refund")
    assert level == "error"
    assert "already" in message
    assert Refund.objects.count() == 1
    assert case.events.filter(kind=K.REFUND).count() == 1

    assert timeline(case) == [
        (K.FILED, customer.pk, True),
        (K.DECISION, None, False),
        (K.DECISION, None, True),
        (K.ASSIGNED, agent.pk, False),
        (K.REPLY, agent.pk, True),
        (K.NOTE, agent.pk, False),
        (K.STORE_CREDIT, agent.pk, True),
        (K.RESOLVED, agent.pk, True),
        (K.CLOSED, agent.pk, True),
        (K.REOPENED, agent.pk, True),
        (K.REPLACEMENT, agent.pk, True),
        (K.REOPENED, agent.pk, True),
        (K.REFUND, agent.pk, True),
    ]
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED


def test_a_refund_the_provider_refuses_is_an_error_message_and_on_the_timeline(
    agent_client, agent
):
    case = open_case(product=ProductFactory(price=2400))
    payment = case.order.payments.get()
    # Refunded on the provider's dashboard already: nothing left to give.
    TestPaymentProvider().refund(
        reference=payment.reference, amount=payment.amount, idempotency_key="dash"
    )
    [(level, message)] = act(agent_client, case, "refund")
    assert level == "error"
    assert "refused the refund" in message
    assert "¥0 left" in message
    page = agent_client.get(change_url(case)).content.decode()
    assert "refused the refund" in page  # the decision on the case's timeline
    assert timeline(case)[-1] == (K.DECISION, agent.pk, False)
    assert Refund.objects.get().status == Refund.Status.FAILED
    case.refresh_from_db()
    assert case.status != Case.Status.RESOLVED


def test_a_refused_refund_shows_on_the_case_page_and_the_order_with_its_reason(
    agent_client, agent
):
    """The customer chose a refund on filing; the provider refused it. The
    agent who opens the case sees the refund, failed, with the provider's
    words, beside the item, and the same on the order's page."""
    order = placed_order(None, (ProductFactory(price=2400), 1))
    deliver(order)
    payment = order.payments.get()
    TestPaymentProvider().refund(  # refunded on the provider's dashboard
        reference=payment.reference, amount=payment.amount, idempotency_key="dash"
    )
    case = services.file_case(
        customer=order.buyer,
        order_line=order.lines.get(),
        problem=P.DAMAGED,
        remedy=Case.Remedy.REFUND,
    )
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.FAILED
    reason = refund.failure_message
    assert "more than the ¥0 left" in reason

    page = agent_client.get(change_url(case)).content.decode()
    refunds = page[page.index("Refunds of this item") : page.index("Shipments of")]
    assert 'class="refund-failed"' in refunds
    assert "Failed" in refunds
    assert f"The payment provider refused it: <strong>{reason}</strong>" in refunds
    assert "Card ¥2,400" in refunds  # where it was to go
    order_page = agent_client.get(
        reverse("admin:shop_order_change", args=[order.pk])
    ).content.decode()
    assert reason in order_page
    # The order's events link to the provider's events, which agents may see.
    event_list = reverse("admin:shop_paymentevent_changelist")
    assert agent_client.get(event_list).status_code == 200


def test_the_case_page_costs_the_same_with_one_or_many_refunds(agent_client, agent):
    order = placed_order(None, (ProductFactory(price=1000, stock_on_hand=9), 6))
    deliver(order)
    line = order.lines.get()
    case = file_question(line, "Several broke")

    def refund(number):
        shop_services.refund_order_line(
            order_line=line, quantity=1, actor=agent, reference=f"r{number}", reason="x"
        )

    refund(1)
    small = queries_for(agent_client, change_url(case))
    for number in range(2, 5):
        refund(number)
    TestPaymentProvider().refund(  # the rest refunded on the dashboard
        reference=order.payments.get().reference, amount=2000, idempotency_key="dash"
    )
    with pytest.raises(ShopError):
        refund(5)
    assert Refund.objects.filter(order_line=line).count() == 5
    assert_same_queries(small, queries_for(agent_client, change_url(case)))


def test_assign_to_me_is_offered_only_until_the_case_is_mine(agent_client, agent):
    case = open_case()
    assert "Assign to me" in agent_client.get(change_url(case)).content.decode()
    services.assign_case(case=case, agent=agent, actor=agent)
    assert "Assign to me" not in agent_client.get(change_url(case)).content.decode()


@pytest.mark.parametrize(
    ("action", "data", "error"),
    [
        ("reply", {"body": "   "}, "Write a reply"),
        ("note", {}, "Write a note"),
        ("credit", {"amount": "0"}, "Enter an amount"),
        ("credit", {"amount": "lots"}, "Enter an amount"),
    ],
)
def test_a_button_without_its_input_says_so_and_writes_nothing(
    agent_client, action, data, error
):
    case = open_case()
    before = timeline(case)
    [(level, message)] = act(agent_client, case, action, **data)
    assert level == "error"
    assert error in message
    assert timeline(case) == before
    assert shop_selectors.store_credit_balance(user=case.customer) == 0


def test_an_unknown_action_is_refused(agent_client):
    case = open_case()
    assert agent_client.post(act_url(case, "delete")).status_code == 403
    assert agent_client.get(act_url(case, "resolve")).status_code == 405
    case.refresh_from_db()
    assert case.status == Case.Status.NEW


def test_refunding_a_gift_credits_the_recipient_not_the_giver(agent_client, agent):
    gift = delivered_gift(price=5000)
    case = services.file_case(
        customer=gift.recipient,
        order_line=gift.order.lines.get(),
        problem=P.DEFECTIVE,
        description="The lid does not close.",
    )
    assert case.is_gift and case.is_open

    page = agent_client.get(change_url(case)).content.decode()
    assert "Filed by the recipient, who owns this gift." in page
    assert "Refund to recipient store credit" in page

    assert act(agent_client, case, "refund") == said("refund")
    assert shop_selectors.store_credit_balance(user=gift.recipient) == 5000
    assert shop_selectors.store_credit_balance(user=gift.giver) == 0
    assert not Refund.objects.exists()
    event = case.events.get(kind=K.REFUND)
    assert event.actor == agent
    assert "store credit" in event.body


def test_a_line_refunded_on_one_case_is_not_refunded_again_on_another(
    agent_client,
):
    order = placed_order(None, (ProductFactory(price=3000, stock_on_hand=5), 1))
    deliver(order)
    first, second = (
        services.file_case(
            customer=order.buyer, order_line=order.lines.get(), problem=problem
        )
        for problem in [P.DEFECTIVE, P.DAMAGED]
    )
    assert act(agent_client, first, "refund") == said("refund")
    [(level, message)] = act(agent_client, second, "refund")
    assert level == "error"
    assert "already" in message
    assert Refund.objects.count() == 1


def test_a_gift_line_refunded_on_one_case_is_not_refunded_again_on_another(
    agent_client,
):
    gift = delivered_gift(price=5000)
    first, second = (
        services.file_case(
            customer=gift.recipient,
            order_line=gift.order.lines.get(),
            problem=problem,
        )
        for problem in [P.DEFECTIVE, P.DAMAGED]
    )
    assert act(agent_client, first, "refund") == said("refund")
    [(level, message)] = act(agent_client, second, "refund")
    assert level == "error"
    assert "already" in message
    assert shop_selectors.store_credit_balance(user=gift.recipient) == 5000


def test_refunding_the_givers_case_never_credits_the_giver(agent_client):
    gift = delivered_gift(price=5000)
    case = services.file_case(
        customer=gift.giver,
        order_line=gift.order.lines.get(),
        problem=P.NOT_DELIVERED,
    )
    page = agent_client.get(change_url(case)).content.decode()
    assert "Filed by the giver: delivery questions only." in page
    assert "Refund to recipient store credit" not in page

    act(agent_client, case, "refund")
    assert shop_selectors.store_credit_balance(user=gift.giver) == 0
    assert not Refund.objects.exists()


def test_reshipping_an_out_of_stock_product_says_so(agent_client):
    product = ProductFactory(name="Glass teapot", stock_on_hand=5)
    case = services.file_case(
        customer=(order := placed_order(None, (product, 1))).buyer,
        order_line=order.lines.get(),
        problem=P.DEFECTIVE,
    )
    Product.objects.filter(pk=product.pk).update(stock_on_hand=0)
    before = timeline(case)

    [(level, message)] = act(agent_client, case, "reship")
    assert level == "error"
    assert "Glass teapot is out of stock" in message
    assert not Shipment.objects.filter(reason=Shipment.Reason.REPLACEMENT).exists()
    assert timeline(case) == before
    case.refresh_from_db()
    assert case.is_open


# --- Who may use the desk ---------------------------------------------------


def test_staff_outside_the_agent_group_are_forbidden(client):
    case = open_case()
    sign_in_staff(client, UserFactory(is_staff=True))
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(change_url(case)).status_code == 403
    assert client.post(act_url(case, "assign")).status_code == 403
    assert client.post(act_url(case, "note"), {"body": "Hi"}).status_code == 403
    case.refresh_from_db()
    assert case.assigned_to is None
    assert not case.events.filter(kind__in=[K.ASSIGNED, K.NOTE]).exists()


def test_customers_are_sent_to_the_admin_login(client):
    case = open_case()
    client.force_login(case.customer)
    for response in [
        client.get(reverse(CHANGELIST)),
        client.get(change_url(case)),
        client.post(act_url(case, "assign")),
    ]:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    case.refresh_from_db()
    assert case.assigned_to is None


def test_agents_without_the_second_factor_are_sent_to_the_mfa_pages(client, agent):
    case = open_case()
    # No authenticator yet: sent to set one up.
    client.force_login(agent)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))

    # With an authenticator, but this session used only a password.
    sign_in_staff(Client(), agent)
    for response in [
        client.get(reverse(CHANGELIST)),
        client.get(change_url(case)),
        client.post(act_url(case, "assign")),
    ]:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    case.refresh_from_db()
    assert case.assigned_to is None


# --- Query counts -----------------------------------------------------------


def _cases_on_one_order(count, *, agent):
    order = placed_order(None, *[(ProductFactory(), 1) for _ in range(count)])
    for index, line in enumerate(order.lines.all()):
        case = file_question(line, "A question")
        if index % 2:
            services.assign_case(case=case, agent=agent, actor=agent)


@pytest.mark.parametrize("query", ["", "?queue=open", "?q=example.com"])
def test_the_changelist_costs_the_same_for_10_or_100_cases(agent_client, agent, query):
    url = reverse(CHANGELIST) + query
    _cases_on_one_order(10, agent=agent)
    small = queries_for(agent_client, url)
    for _ in range(9):
        _cases_on_one_order(10, agent=agent)
    assert Case.objects.count() == 100
    assert_same_queries(small, queries_for(agent_client, url))


def test_the_case_page_costs_the_same_for_10_or_100_events(agent_client, agent):
    case = open_case()
    colleague = UserFactory(is_staff=True)

    def add_notes(count):
        for n in range(count):
            actor = agent if n % 2 else colleague
            services.add_note(case=case, actor=actor, body=f"Note {n}")

    add_notes(10 - case.events.count())
    small = queries_for(agent_client, change_url(case))
    add_notes(90)
    assert case.events.count() == 100
    assert_same_queries(small, queries_for(agent_client, change_url(case)))


# --- Confirm what moves goods or money; refuse what the state forbids --------


def test_reship_refund_and_credit_show_what_they_will_do_and_wait_for_yes(
    agent_client,
):
    product = ProductFactory(name="Linen apron", price=2400, stock_on_hand=5)
    case = open_case(product=product)
    for action, data, says in [
        ("reship", {}, ["1 × Linen apron again", "In stock now: 4."]),
        (
            "refund",
            {},
            ["Refund ¥2,400 for 1 × Linen apron.", "original payment", "paid."],
        ),
        (
            "credit",
            {"amount": "700", "reason": "Late parcel"},
            ["Add ¥700 to the store credit of", "Reason: Late parcel"],
        ),
    ]:
        response = agent_client.post(act_url(case, action), data)
        assert response.status_code == 200
        page = response.content.decode()
        for text in says:
            assert text in page, (action, text)
        assert 'name="confirmed" value="1"' in page
        assert "Yes, I’m sure" in page
    # Nothing moved until the agent says yes.
    assert not case.order.shipments.filter(reason=Shipment.Reason.REPLACEMENT).exists()
    assert not Refund.objects.exists()
    assert shop_selectors.store_credit_balance(user=case.customer) == 0

    assert act(agent_client, case, "credit", amount="700") == said("credit")
    assert shop_selectors.store_credit_balance(user=case.customer) == 700


def test_a_gift_refund_confirms_it_goes_to_the_recipients_credit(agent_client):
    gift = delivered_gift(price=5000)
    case = services.file_case(
        customer=gift.recipient,
        order_line=gift.order.lines.get(),
        problem=P.DEFECTIVE,
    )
    page = agent_client.post(act_url(case, "refund")).content.decode()
    assert "Refund ¥5,000 for 1 ×" in page
    assert "who received this gift; the giver" in page


def test_a_resolved_case_offers_no_reship_refund_or_credit_and_refuses_them(
    agent_client, agent
):
    """Before: Reship and Refund stayed on resolved cases, and a second
    click shipped a second parcel."""
    case = open_case()
    services.resolve(case=case, actor=agent)
    page = agent_client.get(change_url(case)).content.decode()
    for action in ["reship", "refund", "credit", "resolve"]:
        assert act_url(case, action) not in page
    for action in ["reopen", "close", "reply", "note"]:
        assert act_url(case, action) in page
    assert "reopen it first" in page

    for action in ["reship", "refund", "credit"]:
        data = {"amount": "500"} if action == "credit" else {}
        # Neither the confirmation page nor a forged "yes" gets past the rule.
        asked = agent_client.post(act_url(case, action), data, follow=True)
        assert asked.redirect_chain == [(change_url(case), 302)]
        [(level, message)] = act(agent_client, case, action, **data)
        assert level == "error"
        assert "resolved: reopen it" in message
        assert "resolved: reopen it" in asked.content.decode()
    assert not case.order.shipments.filter(reason=Shipment.Reason.REPLACEMENT).exists()
    assert not Refund.objects.exists()
    assert shop_selectors.store_credit_balance(user=case.customer) == 0
