"""Reply and set the state in one submit: "Send and resolve", "Send and wait
for customer" (``services.reply``'s ``then``), one transaction, once per
submission, two clicks from the case list to a solved case."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from phonenumber_field.phonenumber import PhoneNumber

from callbacks.models import CallbackRequest
from core import submissions
from support import services
from support.exceptions import SupportError
from support.models import Case, CaseEvent
from tests.concurrency import post_together
from tests.double_submit import assert_same_result, messages_of
from tests.shop.factories import ProductFactory, UserFactory, deliver, placed_order
from tests.support.factories import customer_asks_for_call, file_question

K = CaseEvent.Kind
S = Case.Status


def open_case():
    order = placed_order(
        UserFactory(phone="+819012345678"), (ProductFactory(stock_on_hand=5), 1)
    )
    deliver(order)
    return file_question(order.lines.get(), "Is there a manual?")


def kinds(case):
    return list(case.events.values_list("kind", flat=True))


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


# --- The service -------------------------------------------------------------


@pytest.mark.django_db
def test_send_and_resolve_replies_emails_and_resolves(
    staff, django_capture_on_commit_callbacks
):
    case = open_case()
    before = kinds(case)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.reply(
            case=case, actor=staff, body="The manual is online.", then="resolve"
        )

    case.refresh_from_db()
    assert (event.kind, event.body) == (K.REPLY, "The manual is online.")
    assert kinds(case) == [*before, K.REPLY, K.RESOLVED]
    assert case.status == S.RESOLVED
    assert case.resolved_at is not None
    assert case.first_responded_at is not None
    assert [m.to for m in mail.outbox] == [[case.customer.email]]
    assert "The manual is online." in mail.outbox[0].body


@pytest.mark.django_db
def test_send_and_wait_leaves_an_open_case_waiting_for_the_customer(staff):
    case = open_case()
    assert case.status == S.NEW

    services.reply(case=case, actor=staff, body="Which model?", then="wait")

    case.refresh_from_db()
    assert case.status == S.WAITING_FOR_CUSTOMER
    assert kinds(case)[-1] == K.REPLY


@pytest.mark.django_db
def test_send_and_wait_on_a_resolved_case_reopens_it_to_ask(staff):
    case = open_case()
    services.resolve(case=case, actor=staff)

    services.reply(case=case, actor=staff, body="One more question.", then="wait")

    case.refresh_from_db()
    assert case.status == S.WAITING_FOR_CUSTOMER
    assert case.resolved_at is None
    assert kinds(case)[-2:] == [K.REPLY, K.REOPENED]


@pytest.mark.django_db
def test_a_plain_reply_to_a_resolved_case_keeps_it_resolved(staff):
    case = open_case()
    services.resolve(case=case, actor=staff)

    services.reply(case=case, actor=staff, body="Glad it's sorted.")

    case.refresh_from_db()
    assert case.status == S.RESOLVED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setup", "then", "why"),
    [
        ("resolved", "resolve", "already resolved"),
        ("closed", "resolve", "closed: reopen it first"),
        ("closed", "wait", "closed: reopen it first"),
        ("another_open", "wait", "already open"),
        ("on_the_phone", "resolve", "on the phone"),
        ("open", "explode", "can't be done"),
    ],
)
def test_a_refused_state_change_sends_no_reply_either(staff, setup, then, why):
    case = open_case()
    if setup in ("resolved", "another_open"):
        services.resolve(case=case, actor=staff)
    if setup == "another_open":
        services.file_case(
            customer=case.customer,
            order_line=case.order_line,
            problem=case.problem,
            description="Still no manual.",
        )
    if setup == "closed":
        services.close(case=case, actor=staff)
    if setup == "on_the_phone":
        callback = customer_asks_for_call(
            case, number=PhoneNumber.from_string("+819012345678")
        )
        CallbackRequest.objects.filter(pk=callback.pk).update(state="ringing")
    case.refresh_from_db()
    before = (kinds(case), case.status)

    with pytest.raises(SupportError, match=why):
        services.reply(case=case, actor=staff, body="Hello.", then=then)

    case.refresh_from_db()
    assert (kinds(case), case.status) == before


@pytest.mark.django_db
def test_an_empty_reply_changes_no_state(staff):
    case = open_case()
    with pytest.raises(SupportError, match="Write a reply"):
        services.reply(case=case, actor=staff, body="  ", then="resolve")
    case.refresh_from_db()
    assert case.status == S.NEW


@pytest.mark.django_db
def test_send_and_resolve_cancels_a_booked_call_as_resolve_does(
    staff, django_capture_on_commit_callbacks
):
    case = open_case()
    callback = customer_asks_for_call(
        case, number=PhoneNumber.from_string("+819012345678")
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(case=case, actor=staff, body="All done.", then="resolve")

    case.refresh_from_db()
    callback.refresh_from_db()
    assert (case.status, callback.state) == (S.RESOLVED, "cancelled")
    assert [k for k in kinds(case) if k in (K.REPLY, K.RESOLVED)] == [
        K.REPLY,
        K.RESOLVED,
    ]
    notice = case.events.get(kind=K.CALL, is_public=True, actor=staff)
    assert "as this is sorted" in notice.body


@pytest.mark.django_db
def test_the_same_submission_again_sends_once_and_returns_the_reply(staff):
    case = open_case()
    key = submissions.new_key()
    first = services.reply(
        case=case, actor=staff, body="Sorted.", then="resolve", submission_key=key
    )
    again = services.reply(
        case=case, actor=staff, body="Sorted.", then="resolve", submission_key=key
    )

    assert again == first
    assert kinds(case).count(K.REPLY) == 1
    assert kinds(case).count(K.RESOLVED) == 1


# --- The case page: two clicks from the list ---------------------------------


@pytest.mark.django_db
def test_from_the_case_list_to_a_solved_case_in_two_clicks(agent_client, agent):
    case = open_case()
    changelist = agent_client.get(reverse("admin:support_case_changelist"))
    case_url = reverse("admin:support_case_change", args=[case.pk])
    assert f'href="{case_url}' in changelist.content.decode()

    # Click 1: open the case from the list.
    page = agent_client.get(case_url).content.decode()
    form = re.search(
        r'<form method="post" action="([^"]+/act/reply/)">.*?'
        r'name="submission" value="([^"]+)".*?</form>',
        page,
        re.S,
    )
    assert form, "no reply form"
    assert 'name="then" value="resolve"' in form.group(0)
    # Click 2: "Send and resolve".
    response = agent_client.post(
        form.group(1),
        {"submission": form.group(2), "body": "Sorted!", "then": "resolve"},
        follow=True,
    )

    assert response.redirect_chain == [(case_url, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Reply sent and case resolved."
    ]
    case.refresh_from_db()
    assert case.status == S.RESOLVED
    assert kinds(case)[-2:] == [K.REPLY, K.RESOLVED]
    assert 'name="then" value="resolve"' not in response.content.decode()


@pytest.mark.django_db
def test_a_refused_send_and_resolve_says_why_on_the_case_page(agent_client, agent):
    case = open_case()
    services.resolve(case=case, actor=agent)
    url = reverse("admin:support_case_act", args=[case.pk, "reply"])

    response = agent_client.post(url, {"body": "Hi", "then": "resolve"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "This case is already resolved."
    ]
    assert kinds(case).count(K.REPLY) == 0


# --- Sent twice at the same moment -------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
@pytest.mark.parametrize(
    ("then", "resolved_first", "new_kinds", "status", "said"),
    [
        (
            "resolve",
            False,
            [K.REPLY, K.RESOLVED],
            S.RESOLVED,
            "Reply sent and case resolved.",
        ),
        (
            "wait",
            True,
            [K.REPLY, K.REOPENED],
            S.WAITING_FOR_CUSTOMER,
            "Reply sent; waiting for the customer.",
        ),
    ],
)
def test_send_and_set_the_state_clicked_twice_at_once_acts_once(
    agent_client, agent, then, resolved_first, new_kinds, status, said
):
    """One reply, one email, one state change; both clicks land on the case
    page with the first one's result."""
    case = open_case()
    if resolved_first:
        services.resolve(case=case, actor=agent)
    before = kinds(case)
    mail.outbox.clear()
    url = reverse("admin:support_case_act", args=[case.pk, "reply"])
    form = {"body": "Here you go.", "then": then, "submission": submissions.new_key()}

    responses = post_together(agent_client, url, form)

    assert assert_same_result(responses) == reverse(
        "admin:support_case_change", args=[case.pk]
    )
    assert [messages_of(r) for r in responses] == [[said], [said]]
    case.refresh_from_db()
    assert kinds(case) == [*before, *new_kinds]
    assert case.status == status
    assert len(mail.outbox) == 1
