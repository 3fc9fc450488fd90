"""Journey 4: a shopper on a phone searches, fills the cart, checks out and
pays on the payment provider's hosted page, in English and, switched with
the header's language button, in Japanese. And a first card declined there,
a second one paying."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from shop.models import Order, OrderEvent, TestProviderSession

from .support import (
    DECLINED_CARD,
    PHONE,
    assert_accessible,
    assert_no_sideways_scroll,
    assert_placed_once,
    on_hosted_page,
    pattern,
    pay_on_hosted_page,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the shopper types and picks, in each language.
SEARCH = {"en": "matcha", "ja": "抹茶"}
PRODUCT = {"en": "Uji matcha for usucha, 30 g tin", "ja": "宇治抹茶 薄茶用 30g缶"}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def words(language: str):
    """The site's own words in ``language``, from its translation catalogue
    (locale/ja): the Japanese run finds what a Japanese shopper reads."""

    def say(message: str, **values) -> str:
        with translation.override(language):
            text = translation.gettext(message)
        if language == "ja":
            assert JAPANESE.search(text), f"not translated: {message!r}"
        return text % values if values else text

    return say


@pytest.mark.parametrize("language", ["en", "ja"])
def test_shopper_on_a_phone_searches_and_checks_out(journey, language):
    say = words(language)
    page = journey.new_page(**PHONE)
    journey.sign_in(page, "shopper@hoshii.test")
    if language == "ja":
        page.get_by_role("button", name="日本語").click()
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        expect(page.get_by_role("heading", level=1)).to_have_text("すべての商品")
    assert_accessible(page, "the product list")

    page.get_by_role("searchbox", name=say("Search products")).fill(SEARCH[language])
    page.get_by_role("button", name=say("Search"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        say("Results for “%(query)s”", query=SEARCH[language])
    )
    journey.shot(page, "search")

    page.get_by_role("link", name=PRODUCT[language]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PRODUCT[language])
    assert_accessible(page, "a product page")
    page.get_by_label(say("Quantity")).fill("2")
    page.get_by_role("button", name=say("Add to cart")).click()

    # The badge is read out with what it counts, not as a bare number.
    page.get_by_role("link", name=f"{say('Cart')} 2 {say('items in cart')}").click()
    expect(page.get_by_role("heading", name=say("Your cart"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(PRODUCT[language]))).to_be_visible()
    assert_accessible(page, "the cart")
    journey.shot(page, "cart")

    page.get_by_role("link", name=say("Check out")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(say("Checkout"))
    expect(page.get_by_role("radio").first).to_be_checked()  # the default address
    # No card field here: the card is typed on the provider's page.
    expect(page.get_by_label(say("Card number"))).to_have_count(0)
    assert_accessible(page, "the checkout")
    journey.shot(page, "checkout")
    place_order(page, say)

    on_hosted_page(page, say)
    order = Order.objects.filter(buyer__email="shopper@hoshii.test").latest("pk")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        say("Hoshii order %(number)s", number=order.number)
    )
    assert_accessible(page, "the hosted payment page")
    journey.shot(page, "payment-page")
    pay_on_hosted_page(page, say=say)

    see_it_placed(page, say, order)
    journey.shot(page, "confirmation")
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("TEA-004", 2)]
    assert_placed_once(order)


def test_a_declined_card_on_the_payment_page_then_another_pays(journey):
    """The bank declines the first card: the hosted page says so and stays
    open, the order waits; the second card pays, and the order is placed
    once."""
    say = words("en")
    page = journey.new_page(**PHONE)
    journey.sign_in(page, "shopper@hoshii.test")
    page.goto("/")
    page.get_by_role("searchbox", name="Search products").fill("hojicha")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("link", name=re.compile("^Hojicha roasted green tea")).click()
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name=re.compile(r"^Cart 1 ")).click()
    page.get_by_role("link", name="Check out").click()
    place_order(page, say)

    session = on_hosted_page(page)
    order = Order.objects.filter(buyer__email="shopper@hoshii.test").latest("pk")
    pay_on_hosted_page(page, DECLINED_CARD)
    expect(page.get_by_role("alert")).to_have_text(
        "Your card was declined. Nothing was charged; try another card."
    )
    assert on_hosted_page(page) == session  # the same page, still open
    assert_accessible(page, "the payment page with a declined card")
    journey.shot(page, "declined")
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_PAYMENT
    assert not order.events.filter(kind=OrderEvent.Kind.PAID).exists()

    pay_on_hosted_page(page)
    see_it_placed(page, say, order)
    journey.shot(page, "paid")
    assert_placed_once(order)
    # One charge, the second card's: the declined one made none.
    charge = TestProviderSession.objects.get(reference=session).charge
    assert charge.card_last4 == "4242"
    assert order.payments.get().reference == charge.reference


def place_order(page, say) -> None:
    assert_no_sideways_scroll(page)  # the checkout, photos and all, fits a phone
    page.get_by_role(
        "button", name=pattern(say("Place order and pay %(total)s"), "%(total)s")
    ).click()


def see_it_placed(page, say, order: Order) -> None:
    """Back from the provider's page: the order, placed."""
    expect(page.get_by_role("heading", level=1)).to_have_text(
        say("Order %(number)s", number=order.number)
    )
    expect(page.get_by_role("status")).to_contain_text(
        say("Thank you! Your order %(number)s is placed.", number=order.number)
    )
