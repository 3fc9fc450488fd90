"""Timeline entries in our words are said in each reader's language: the
customer's on their case page, the agent's in the admin, whatever language
was in force when the entry was written (``support.messages``). Entries
written before sentence ids existed read as they were written."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from callbacks.models import CallbackRequest
from shop import services as shop_services
from shop.models import Product
from support import calls, messages
from support import services as support_services
from support.models import Case, CaseEvent
from support.services import agent as agent_services
from tests.shop.factories import ProductFactory, UserFactory, placed_order
from tests.support.factories import file_question

pytestmark = pytest.mark.django_db

Kind = CaseEvent.Kind
HAND_OVER_JA = "担当者が内容を確認し、ご連絡いたします。"
AT = datetime.datetime(2026, 12, 4, 5, 30, tzinfo=datetime.UTC)


def japanese_customers_case():
    """A question from a customer who reads Japanese, about a parcel on its
    way (so it may be reshipped)."""
    customer = UserFactory(language="ja", display_name="田中")
    order = placed_order(
        customer, (ProductFactory(name="Linen apron", name_ja="リネンのエプロン"), 1)
    )
    shipment = shop_services.create_shipment_for_remaining(order=order, actor=None)
    shop_services.mark_shipped(shipment=shipment, actor=None)
    return file_question(order.lines.get(), "Where is it?"), customer


def page_text(client, url, language):
    # The locale middleware leaves the request's language active in this
    # thread: put back the one before, for the tests that follow.
    with translation.override(translation.get_language()):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_an_agents_reship_and_credit_read_in_each_readers_language(
    agent_client, agent, client
):
    case, customer = japanese_customers_case()
    # The agent works in English; the entries are written in that request.
    with translation.override("en"):
        agent_services.issue_credit(case=case, actor=agent, amount=500, reason="")
        shipment = agent_services.reship(case=case, actor=agent)
    replacement = case.events.get(kind=Kind.REPLACEMENT)
    credit = case.events.get(kind=Kind.STORE_CREDIT)
    assert replacement.message == messages.REPLACEMENT_ON_ITS_WAY
    assert replacement.params == {
        "count": 1,
        "date": shipment.estimated_delivery.isoformat(),
    }
    assert (credit.message, credit.params) == (
        messages.ADDED_TO_STORE_CREDIT,
        {"amount": 500},
    )
    # The body, for the emails, is the customer's language as before.
    assert "リネンのエプロン" in replacement.body

    # The agent reads them in English in the admin ...
    admin_page = reverse("admin:support_case_change", args=[case.pk])
    english = page_text(agent_client, admin_page, "en")
    assert "A replacement of 1 × Linen apron is on its way" in english
    assert "¥500 was added to your store credit." in english
    # ... and in Japanese once their browser asks for it.
    japanese = page_text(agent_client, admin_page, "ja")
    assert "リネンのエプロン" in japanese
    assert "¥500 was added" not in japanese

    # The customer reads them in the language they browse in.
    client.force_login(customer)
    mine = reverse("support:case", args=[case.pk])
    assert "リネンのエプロン" in page_text(client, mine, "ja")
    english = page_text(client, mine, "en")
    assert "A replacement of 1 × Linen apron is on its way" in english
    assert "¥500 was added to your store credit." in english


def test_each_sentence_renders_in_both_languages():
    case, _customer = japanese_customers_case()
    params = {
        messages.AGENT_WILL_LOOK: {},
        messages.REPLACEMENT_ON_ITS_WAY: messages.params_for(
            count=2, date=datetime.date(2026, 12, 4)
        ),
        messages.ADDED_TO_STORE_CREDIT: messages.params_for(amount=1200),
        messages.REFUNDED_TO_PAYMENT: messages.params_for(amount=1200),
        messages.DOCUMENTS_ON_THEIR_WAY: messages.params_for(
            documents=Product.Documents.BOTH,
            date=datetime.date(2026, 12, 4),
            url="https://example.com/manual.pdf",
        ),
        messages.NO_DOCUMENTS_TO_POST: {},
        messages.ON_ITS_WAY_WITH_CARRIER: messages.params_for(
            carrier="Yamato",
            tracking="1234",
            date=datetime.date(2026, 12, 4),
            window=datetime.date(2026, 12, 11),
        ),
        messages.CALL_CANCELLED_SORTED: messages.params_for(time=AT),
        messages.CALL_CANCELLED_CLOSED: messages.params_for(time=AT),
        **{
            messages.call_message(state): messages.params_for(due=AT)
            for state in CallbackRequest.State.values
            if messages.call_message(state) in messages.MESSAGES
        },
        messages.CALL_NO_ANSWER_TRY_AGAIN: messages.params_for(due=AT),
        messages.NO_DOCUMENTS_ASK_CUSTOMER: {},
        messages.ABOVE_NO_PROOF_LIMIT: {},
        messages.NO_PROOF_RESHIPS_USED: messages.params_for(count=3),
        messages.REMEDY_LEFT_TO_US: {},
        messages.ABOVE_SELF_SERVICE_LIMIT: {},
        messages.NEEDS_A_PERSON: {},
        messages.NOT_SHIPPED_YET: {},
        messages.CARRIER_SAYS_DELIVERED: {},
        messages.PAST_CARRIER_WINDOW: {},
        messages.SOLD_OUT: {},
        messages.REFUND_REFUSED: messages.params_for(reason="card_expired"),
        messages.CUSTOMER_ASKED_FOR_CALL: messages.params_for(time=AT),
        messages.CUSTOMER_CANCELLED_CALL: {},
        messages.AGENT_ASKED_FOR_CALL: messages.params_for(agent="Kenji", time=AT),
        messages.AGENT_TOOK_CALL: messages.params_for(agent="Kenji", reference="cb_1"),
        messages.AGENT_DIDNT_GET_THROUGH: messages.params_for(
            agent="Kenji", reason="no-answer"
        ),
        messages.MISSED_PICK_UP: messages.params_for(agent="Kenji", seconds=45),
        messages.ACCOUNT_CLOSED: {},
    }
    assert set(params) == set(messages.MESSAGES)
    for message, values in params.items():
        event = CaseEvent(case=case, kind=Kind.DECISION, message=message, params=values)
        with translation.override("en"):
            english = event.text
        with translation.override("ja"):
            japanese = event.text
        assert english and japanese and english != japanese, message
        assert "%(" not in english + japanese
    with translation.override("en"):
        replacement = CaseEvent(
            case=case,
            message=messages.REPLACEMENT_ON_ITS_WAY,
            params=params[messages.REPLACEMENT_ON_ITS_WAY],
        )
        assert replacement.text == (
            "A replacement of 2 × Linen apron is on its way, expected by "
            "Dec. 4, 2026. No need to send anything back."
        )


def test_entries_without_a_sentence_read_as_written():
    case, _customer = japanese_customers_case()
    old = CaseEvent(case=case, kind=Kind.DECISION, body="書かれたとおり")
    unknown = CaseEvent(
        case=case, kind=Kind.DECISION, body="as written", message="gone_sentence"
    )
    broken = CaseEvent(
        case=case,
        kind=Kind.DECISION,
        body="as written",
        message=messages.ADDED_TO_STORE_CREDIT,
        params={},
    )
    with translation.override("en"):
        assert old.text == "書かれたとおり"
        assert unknown.text == "as written"
        assert broken.text == "as written"


def test_the_automatic_hand_over_is_said_again_for_each_reader(agent_client, agent):
    # A question goes to an agent on filing, written in the customer's
    # language while the request was in English.
    with translation.override("en"):
        case, _customer = japanese_customers_case()
    entry = case.events.filter(message=messages.AGENT_WILL_LOOK).get()
    assert entry.is_public
    assert entry.body == HAND_OVER_JA
    admin_page = reverse("admin:support_case_change", args=[case.pk])
    assert "An agent will look at this and get back to you." in page_text(
        agent_client, admin_page, "en"
    )
    assert HAND_OVER_JA in page_text(agent_client, admin_page, "ja")


def test_documents_call_and_staff_lines_are_said_again_for_each_reader(
    agent_client, agent
):
    """The papers posted, a call's progress and the agent's call notes were
    once written once, in whatever language the worker or request had."""
    customer = UserFactory(language="ja", display_name="田中")
    order = placed_order(
        customer,
        (
            ProductFactory(
                name="Printer",
                name_ja="プリンター",
                documents=Product.Documents.BOTH,
                manual_url="https://hoshii.example/manuals/px-200.pdf",
            ),
            1,
        ),
    )
    with translation.override("en"):
        case = support_services.file_case(
            customer=customer,
            order_line=order.lines.get(),
            problem=Case.Problem.MISSING_DOCUMENTS,
        )
    posted = case.events.get(kind=Kind.DOCUMENTS)
    assert posted.message == messages.DOCUMENTS_ON_THEIR_WAY
    assert "印刷版の取扱説明書" in posted.body or "保証書" in posted.body
    callback = CallbackRequest.objects.create(
        subject=calls.subject_for(case),
        number="+819012345678",
        language="ja",
        script="…",
        due_at=case.created_at,
    )
    with translation.override("ja"):
        line = calls.record_call_change(
            case=case,
            callback=callback,
            new_state=CallbackRequest.State.DIALING,
            detail="",
        )
        calls.on_callback_claimed(sender=None, callback=callback, agent=agent)
    assert line.body == "ただいまお電話をおかけしています。"
    took = case.events.get(message=messages.AGENT_TOOK_CALL)
    assert took.params == {"agent": str(agent), "reference": callback.reference}

    admin_page = reverse("admin:support_case_change", args=[case.pk])
    english = page_text(agent_client, admin_page, "en")
    assert "We are posting the printed manual and warranty card" in english
    assert "The manual is also online: https://hoshii.example/manuals/px-200.pdf" in (
        english
    )
    assert f"{agent} took the call" in english
    client = Client()
    client.force_login(customer)
    mine = reverse("support:case", args=[case.pk])
    assert "Calling you now." in page_text(client, mine, "en")
    assert "ただいまお電話をおかけしています。" in page_text(client, mine, "ja")
