"""Journey 4: a shopper on a phone searches, fills the cart and checks out,
in English and, switched with the header's language button, in Japanese."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from shop.models import Order

from .support import PHONE, assert_accessible

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


def pattern(text: str, placeholder: str) -> re.Pattern:
    return re.compile(
        "^" + ".+".join(re.escape(part) for part in text.split(placeholder)) + "$"
    )


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
    page.get_by_label(say("Card number")).fill("4242 4242 4242 4242")
    assert_accessible(page, "the checkout")
    journey.shot(page, "checkout")
    page.get_by_role(
        "button", name=pattern(say("Pay %(total)s and place order"), "%(total)s")
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        pattern(say("Order %(number)s"), "%(number)s")
    )
    order = Order.objects.filter(buyer__email="shopper@hoshii.test").latest("pk")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        say("Order %(number)s", number=order.number)
    )
    expect(page.get_by_role("status")).to_contain_text(
        say("Thank you! Your order %(number)s is placed.", number=order.number)
    )
    journey.shot(page, "confirmation")
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("TEA-004", 2)]
