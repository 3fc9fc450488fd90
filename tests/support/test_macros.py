"""Canned replies: rendered for a case in its customer's language, offered
on the case page as buttons, managed in the admin."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from shop import services as shop_services
from shop.models import Shipment
from support import macros
from support.models import Macro
from tests.queries import assert_same_queries, queries_for
from tests.shop.factories import ProductFactory, UserFactory, deliver, placed_order
from tests.support.factories import file_question

pytestmark = pytest.mark.django_db

ETA = datetime.date(2026, 12, 4)
GREETING = "Hi {customer_name}, your {item} (order {order}) arrives {eta}."


def case_on(order, description="Where is it?"):
    return file_question(order.lines.get(), description)


def shipped_case(*, language="", name="Aiko Tanaka", eta=ETA):
    """A question about an order on its way, due on ``eta``."""
    customer = UserFactory(display_name=name, language=language)
    order = placed_order(
        customer, (ProductFactory(name="Linen apron", name_ja="リネンのエプロン"), 1)
    )
    shipment = shop_services.create_shipment_for_remaining(order=order, actor=None)
    shop_services.mark_shipped(shipment=shipment, actor=None)
    Shipment.objects.filter(pk=shipment.pk).update(estimated_delivery=eta)
    return case_on(order)


def macro(**fields):
    return Macro.objects.create(
        **{"title": "Where is it", "body_en": GREETING, **fields}
    )


# --- Rendering ---------------------------------------------------------------


def test_every_placeholder_is_filled_from_the_case():
    case = shipped_case()

    text = macros.render(macro=macro(), case=case)

    assert text == (
        f"Hi Aiko Tanaka, your Linen apron (order {case.order.number}) arrives "
        "by Dec. 4, 2026."
    )


def test_a_japanese_customer_gets_the_japanese_text_and_date():
    case = shipped_case(language="ja", name="田中")
    japanese = macro(
        body_ja="{customer_name}様、{item}（ご注文{order}）は{eta}届きます。"
    )

    # Whatever language the agent's admin is in.
    with translation.override("en"):
        text = macros.render(macro=japanese, case=case)

    assert text == (
        f"田中様、リネンのエプロン（ご注文{case.order.number}）は2026年12月4日まで届きます。"
    )


def test_a_macro_with_no_japanese_gives_a_japanese_customer_the_english():
    case = shipped_case(language="ja")

    text = macros.render(macro=macro(body_ja="   "), case=case)

    assert text.startswith("Hi Aiko Tanaka, your リネンのエプロン")
    assert text.endswith("arrives 2026年12月4日まで.")  # the phrase stays theirs


def test_an_english_customer_gets_the_english_even_in_a_japanese_admin():
    case = shipped_case(language="en")

    with translation.override("ja"):
        text = macros.render(macro=macro(body_ja="日本語"), case=case)

    assert text.endswith("arrives by Dec. 4, 2026.")


@pytest.mark.parametrize(
    "body",
    ["{coupon} for {customer_name}", "{ customer_name } {0} {} {{order}"],
)
def test_unknown_placeholders_and_stray_braces_are_left_as_written(body):
    case = shipped_case()

    text = macros.render(macro=macro(body_en=body), case=case)

    if body.startswith("{coupon}"):
        assert text == "{coupon} for Aiko Tanaka"
    else:
        assert text == "{ customer_name } {0} {} {" + case.order.number


def test_no_eta_and_a_delivered_parcel_read_without_a_gap():
    customer = UserFactory(display_name="")
    waiting = case_on(placed_order(customer))
    delivered_order = placed_order(customer)
    deliver(delivered_order)
    delivered = case_on(delivered_order)
    body = "Hi {customer_name}, it arrives {eta}."

    assert macros.render(macro=macro(body_en=body), case=waiting) == (
        "Hi there, it arrives as soon as we have a date (we'll email you)."
    )
    assert macros.render(macro=macro(body_en=body), case=delivered) == (
        "Hi there, it arrives already (our carrier shows it as delivered)."
    )


def test_the_newest_parcel_gives_the_eta():
    case = shipped_case()
    newer = Shipment.objects.create(
        order=case.order,
        reason=Shipment.Reason.REPLACEMENT,
        status=Shipment.Status.SHIPPED,
        estimated_delivery=datetime.date(2026, 12, 9),
    )
    newer.lines.create(order_line=case.order_line, quantity=1)

    assert macros.render(macro=macro(body_en="{eta}"), case=case) == "by Dec. 9, 2026"


def test_the_text_is_plain_and_html_in_a_name_stays_text():
    case = shipped_case(name='<img src=x onerror="alert(1)">')

    text = macros.render(
        macro=macro(body_en="Hi {customer_name} & <b>bye</b>"), case=case
    )

    # The reply is plain text: nothing is escaped twice or turned into markup.
    assert text == 'Hi <img src=x onerror="alert(1)"> & <b>bye</b>'


# --- The case page -----------------------------------------------------------


def change_url(case):
    return reverse("admin:support_case_change", args=[case.pk])


def macro_buttons(html):
    """(text, title) of each macro button on a case page."""
    return re.findall(
        r'<button type="button" class="button" data-macro-for="reply-body" '
        r'data-macro-text="([^"]*)">([^<]*)</button>',
        html,
    )


def test_the_case_page_offers_each_active_macro_rendered_in_order(agent_client):
    case = shipped_case()
    macro(title="Second", body_en="Thanks, {customer_name}.", position=2)
    macro(title="First", body_en="Order {order}.", position=1)
    macro(title="Retired", body_en="Old.", is_active=False)

    page = agent_client.get(change_url(case)).content.decode()

    assert macro_buttons(page) == [
        (f"Order {case.order.number}.", "First"),
        ("Thanks, Aiko Tanaka.", "Second"),
    ]
    assert "js/macros.js" in page
    assert 'name="then" value="resolve"' in page
    assert 'name="then" value="wait"' in page


def test_a_name_with_html_is_escaped_in_the_page(agent_client):
    case = shipped_case(name='"><script>alert(1)</script>')
    macro(title="<i>Hi</i>", body_en="Hi {customer_name}")

    page = agent_client.get(change_url(case)).content.decode()

    assert "<script>alert(1)" not in page
    assert macro_buttons(page) == [
        ("Hi &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;i&gt;Hi&lt;/i&gt;")
    ]


def test_the_case_page_costs_the_same_queries_with_more_macros(agent_client):
    case = shipped_case()
    macro()
    few = queries_for(agent_client, change_url(case))
    for position in range(10):
        macro(title=f"Macro {position}", position=position)
    many = queries_for(agent_client, change_url(case))

    assert_same_queries(few, many)
    assert len(macro_buttons(agent_client.get(change_url(case)).content.decode())) == 11


def test_no_macros_no_buttons_and_no_script(agent_client):
    case = shipped_case()

    page = agent_client.get(change_url(case)).content.decode()

    assert macro_buttons(page) == []
    assert "js/macros.js" not in page


# --- Managed in the admin ----------------------------------------------------


def test_an_agent_adds_a_macro_in_the_admin_and_it_is_offered(agent_client):
    case = shipped_case()
    response = agent_client.post(
        reverse("admin:support_macro_add"),
        {
            "title": "Photo please",
            "body_en": "Could you send a photo of the {item}?",
            "body_ja": "{item}の写真をお送りいただけますか。",
            "is_active": "on",
            "position": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]

    listing = agent_client.get(reverse("admin:support_macro_changelist"))
    assert "Photo please" in listing.content.decode()
    page = agent_client.get(change_url(case)).content.decode()
    assert macro_buttons(page) == [
        ("Could you send a photo of the Linen apron?", "Photo please")
    ]


def test_the_demo_seeds_macros_once():
    from support import demo

    demo._macros()
    demo._macros()

    assert Macro.objects.count() == len(demo.DEMO_MACROS)
    assert all(
        m.body_ja and "{customer_name}" in m.body_en for m in Macro.objects.all()
    )
