"""The agent calls the customer back from the case page: one call, on the
number the customer gave, only when the case's state allows it."""

import pytest
from django.urls import reverse
from phonenumber_field.phonenumber import PhoneNumber

from callbacks.models import CallbackRequest
from core import submissions
from support import calls, services
from support.exceptions import SupportError
from support.models import Case, CaseEvent
from tests.concurrency import post_together
from tests.double_submit import assert_same_result, messages_of
from tests.shop.factories import ProductFactory, UserFactory, deliver, placed_order
from tests.support.factories import customer_asks_for_call, file_question

CALLING = "Calling the customer now: take the call from the phone queue."


def open_case(phone="+819012345678"):
    order = placed_order(UserFactory(phone=phone), (ProductFactory(stock_on_hand=5), 1))
    deliver(order)
    return file_question(order.lines.get(), "Is there a manual?")


def case_calls(case):
    return CallbackRequest.objects.filter(subject=calls.subject_for(case))


@pytest.mark.django_db
def test_the_agent_calls_the_customer_now_on_their_number(agent_client, agent):
    case = open_case()
    page = agent_client.get(reverse("admin:support_case_change", args=[case.pk]))
    assert "Call the customer now" in page.content.decode()

    response = agent_client.post(
        reverse("admin:support_case_act", args=[case.pk, "call"]),
        {"submission": submissions.new_key()},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [CALLING]
    (call,) = case_calls(case)
    assert str(call.number) == "+819012345678"
    assert call.state == CallbackRequest.State.SCHEDULED
    entry = case.events.exclude(submission_key="").get(kind=CaseEvent.Kind.CALL)
    assert (entry.actor, entry.is_public) == (agent, False)
    # A call is booked now: the button is gone, and asking again says why.
    page = agent_client.get(reverse("admin:support_case_change", args=[case.pk]))
    assert "Call the customer now" not in page.content.decode()
    with pytest.raises(SupportError, match="already booked or under way"):
        services.call_customer(case=case, actor=agent)


@pytest.mark.django_db
def test_the_number_is_the_one_the_customer_last_gave_for_this_case(agent):
    case = open_case()
    customer_asks_for_call(case, number=PhoneNumber.from_string("+819087654321"))
    services.cancel_call(case=case, customer=case.customer)

    services.call_customer(case=case, actor=agent)

    assert str(calls.active_call(case).number) == "+819087654321"


@pytest.mark.django_db
@pytest.mark.parametrize("why", ["no number", "resolved", "closed"])
def test_the_state_refuses_the_call_and_nothing_is_written(agent, why):
    case = open_case(phone="" if why == "no number" else "+819012345678")
    if why == "resolved":
        services.resolve(case=case, actor=agent)
    elif why == "closed":
        services.close(case=case, actor=agent)
    before = case.events.count()

    offered = services.allowed_actions(case=Case.objects.get(pk=case.pk))
    # A missing number is found when the agent asks (it costs a query the
    # case page need not pay); the case's state hides the button.
    assert ("call" in offered) == (why == "no number")
    with pytest.raises(SupportError):
        services.call_customer(case=Case.objects.get(pk=case.pk), actor=agent)

    assert not case_calls(case).exists()
    assert case.events.count() == before


@pytest.mark.django_db
def test_a_line_that_is_closed_is_a_clear_refusal(agent, settings):
    settings.CALLBACKS_HOURS = "00:00-00:01"
    settings.CALLBACKS_DAYS = []
    case = open_case()

    with pytest.raises(SupportError):
        services.call_customer(case=case, actor=agent)

    assert not case_calls(case).exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_call_the_customer_clicked_twice_at_once_calls_once(agent_client):
    case = open_case()
    url = reverse("admin:support_case_act", args=[case.pk, "call"])

    responses = post_together(agent_client, url, {"submission": submissions.new_key()})

    assert assert_same_result(responses) == reverse(
        "admin:support_case_change", args=[case.pk]
    )
    assert [messages_of(r) for r in responses] == [[CALLING], [CALLING]]
    assert case_calls(case).count() == 1
    # The agent's request, once (the call's own progress lines aside).
    asked = case.events.exclude(submission_key="").filter(kind=CaseEvent.Kind.CALL)
    assert asked.count() == 1
