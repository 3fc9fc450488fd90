"""Journey 1: a friend finds the couple's list by name and sends a gift,
paying on the payment provider's hosted page, without ever seeing where
the couple lives."""

import re

import pytest
from playwright.sync_api import expect

from gifts.models import Gift

from .support import (
    PHONE,
    assert_accessible,
    assert_placed_once,
    on_hosted_page,
    pay_on_hosted_page,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The couple's street, postal code and phone (shop.demo), as any page might
# write them. Their region (Kyoto) is all a giver may see.
COUPLE_ADDRESS = [
    "河原町通",
    "三条上る",
    "604-8005",
    "6048005",
    "+819087654321",
    "090-8765-4321",
    "09087654321",
    "8765-4321",
    "京都市中京区",
]


def assert_card_photos_load(page) -> int:
    """Every product card on the page shows a photo that loaded, with alt
    text: scrolled to one by one, since the photos below the fold are lazy."""
    cards = page.locator(".grid .card")
    photos = cards.locator("picture img")
    count = cards.count()
    assert count > 0
    assert photos.count() == count, "a card without a photo"
    for index in range(count):
        photo = photos.nth(index)
        photo.scroll_into_view_if_needed()
        expect(photo).to_have_attribute("alt", re.compile(r"\S"))
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0",
            arg=photo.element_handle(),
            timeout=10_000,
        )
    return count


def test_a_giver_sends_a_gift_without_seeing_the_couples_address(journey):
    page = journey.new_page()
    seen = []

    def look(step: str) -> None:
        seen.append((step, page.url, page.content()))

    page.goto("/")
    # The catalog's first page: every card with its photo.
    assert assert_card_photos_load(page) == 24
    page.get_by_role("link", name="Find a list").click()
    page.get_by_label("Their name").fill("Aiko")
    page.get_by_role("main").get_by_role("button", name="Search").click()
    look("search")
    journey.shot(page, "list-search")
    page.get_by_role("link", name="Aiko & Ren's wedding").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aiko & Ren's wedding")
    look("list")
    assert_accessible(page, "a wish list")
    assert assert_card_photos_load(page) == 12  # the list's items, each with its photo

    duvet = page.get_by_role("listitem").filter(has_text="Linen duvet cover")
    duvet.get_by_role("button", name="Buy as a gift").click()
    # Not logged in yet: log in, and come back to the list.
    page.get_by_label("Email").fill("shopper@hoshii.test")
    page.get_by_label("Password").fill("hoshii-demo")
    assert_accessible(page, "the login page")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aiko & Ren's wedding")
    duvet.get_by_role("button", name="Buy as a gift").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("A gift for Aiko & Ren")
    expect(page.get_by_role("group", name="Ships to")).to_contain_text("Kyoto")
    page.get_by_label("Gift message").fill("Congratulations! For cosy nights. — Haruto")
    page.get_by_role("radio", name="Show my name").check()
    address_box = page.get_by_role(
        "checkbox", name="Let them see my address, for a thank-you card"
    )
    expect(address_box).not_to_be_checked()
    look("gift checkout")
    assert_accessible(page, "the gift checkout")
    journey.shot(page, "gift-checkout")
    page.get_by_role("button", name=re.compile(r"^Pay .* and send the gift$")).click()

    # The card is typed on the provider's page, never on ours; it shows the
    # order's number and amount, and nothing of where the gift goes.
    on_hosted_page(page)
    gift = Gift.objects.select_related("order").get(
        giver__email="shopper@hoshii.test", order__lines__sku="HOM-002"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Hoshii order {gift.order.number}"
    )
    look("payment page")
    assert_accessible(page, "the hosted payment page")
    journey.shot(page, "payment-page")
    pay_on_hosted_page(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Order {gift.order.number}"
    )
    expect(page.get_by_role("status")).to_contain_text(
        f"Thank you! Your order {gift.order.number} is placed."
    )
    assert_placed_once(gift.order)
    main = page.get_by_role("main")
    expect(main).to_contain_text("The full address is kept private.")
    look("confirmation")
    journey.shot(page, "confirmation")

    # "Gifts I sent" is in the header, not hidden in the account menu.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Gifts I sent"
    ).click()
    expect(page.get_by_role("main")).to_contain_text("Linen duvet cover")
    look("gifts sent")

    assert (gift.message, gift.shows_giver_name, gift.discloses_address) == (
        "Congratulations! For cosy nights. — Haruto",
        True,
        False,
    )
    for step, url, html in seen:
        for needle in COUPLE_ADDRESS:
            assert needle not in html, f"{needle!r} shown to the giver: {step}, {url}"


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{page.url} scrolls sideways"
    )


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_signed_in_giver_finds_a_friends_list_from_the_header(journey, device):
    """Signed in, "Find a list" stays in the header, and the Lists page
    searches for a friend's list beside one's own; on a phone the header
    wraps rather than pushing the page sideways."""
    page = journey.new_page(**(PHONE if device == "phone" else {}))
    journey.sign_in(page, "shopper@hoshii.test")
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Gifts I sent")).to_be_visible()
    _no_sideways_scroll(page)
    journey.shot(page, "signed-in-header")

    main_nav.get_by_role("link", name="Find a list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a wish list")
    page.get_by_label("Their name").fill("Aiko")
    page.get_by_role("main").get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Aiko & Ren's wedding").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aiko & Ren's wedding")
    for needle in COUPLE_ADDRESS:
        assert needle not in page.content(), f"{needle!r} shown to the giver"

    # The same search from the Lists page, beside their own lists.
    main_nav.get_by_role("link", name="Lists", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your wish lists")
    finder = page.get_by_role("region", name="Find a friend's list")
    finder.get_by_label("Their name").fill("Aiko")
    finder.get_by_role("button", name="Search").click()
    _no_sideways_scroll(page)
    assert_accessible(page, "the Lists page with a friend's list found")
    journey.shot(page, "lists-page-search")
    page.get_by_role("link", name="Aiko & Ren's wedding").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aiko & Ren's wedding")
    _no_sideways_scroll(page)
