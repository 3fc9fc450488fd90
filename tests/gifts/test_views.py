"""Gift pages through the test client: buying, the warning, received, sent."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from gifts.models import Gift
from shop.models import Order, Payment
from tests.queries import assert_same_queries, queries_for
from tests.shop.factories import (
    DECLINED_CARD,
    AddressFactory,
    ProductFactory,
    UserFactory,
    deliver,
    pay_in_browser,
    placed_order,
)
from tests.wishlist.factories import WishListFactory, WishListItemFactory

from .factories import give

pytestmark = pytest.mark.django_db


def _checkout_form(page, **overrides):
    form = page.context["form"]
    return {
        "cart": form["cart"].value(),
        "expected_total": form["expected_total"].value(),
        "message": "Congratulations",
        "shows_giver_name": "yes",
        **overrides,
    }


def test_buy_as_a_gift_from_the_list_page(client):
    item = WishListItemFactory(desired_quantity=2, product=ProductFactory(price=7000))
    giver = UserFactory()
    client.force_login(giver)
    list_page = client.get(item.wishlist.get_share_url()).content.decode()
    assert reverse("gifts:buy", args=[item.wishlist.share_token, item.pk]) in list_page

    response = client.post(
        reverse("gifts:buy", args=[item.wishlist.share_token, item.pk]), {"quantity": 1}
    )
    checkout_url = reverse("gifts:checkout", args=[item.wishlist.share_token])
    assert response["Location"] == checkout_url
    page = client.get(checkout_url)
    assert "A gift for Aiko &amp; Ren" in page.content.decode()
    assert client.get(reverse("shop:cart")).context["lines"] == []  # kept apart

    response = client.post(checkout_url, _checkout_form(page))
    gift = Gift.objects.get()
    assert gift.order.status == Order.Status.AWAITING_PAYMENT
    assert response["Location"].startswith("/payments/test/checkout/")
    paid = pay_in_browser(client, response)
    assert paid.redirect_chain[-1][0] == gift.order.get_absolute_url()
    gift.order.refresh_from_db()
    assert gift.order.status == Order.Status.PLACED
    assert (gift.giver, gift.message, gift.discloses_address) == (
        giver,
        "Congratulations",
        False,
    )


def test_the_second_giver_is_warned_and_may_confirm(client):
    item = WishListItemFactory(desired_quantity=1)
    giver = UserFactory()
    client.force_login(giver)
    client.post(
        reverse("gifts:buy", args=[item.wishlist.share_token, item.pk]), {"quantity": 1}
    )
    checkout_url = reverse("gifts:checkout", args=[item.wishlist.share_token])
    page = client.get(checkout_url)
    give(item)  # someone else is quicker

    warned = client.post(checkout_url, _checkout_form(page))
    assert warned.status_code == 200
    assert "already been bought" in warned.content.decode()
    assert Gift.objects.count() == 1
    confirm = _checkout_form(warned, allow_over_gift="True")
    client.post(checkout_url, confirm)
    assert Gift.objects.filter(giver=giver).count() == 1


def test_a_declined_card_is_refused_on_the_payment_page_and_gives_nothing(client):
    """The card is refused on the provider's hosted page, not by our form:
    the gift order waits for another card with the list's count held, and
    nothing of it reaches the recipient."""
    item = WishListItemFactory()
    client.force_login(UserFactory())
    client.post(
        reverse("gifts:buy", args=[item.wishlist.share_token, item.pk]), {"quantity": 1}
    )
    checkout_url = reverse("gifts:checkout", args=[item.wishlist.share_token])
    page = client.get(checkout_url)
    assert "card_number" not in page.content.decode()
    sent = client.post(checkout_url, _checkout_form(page))
    declined = client.post(sent["Location"], {"card_number": DECLINED_CARD})

    assert declined.status_code == 200
    assert "declined" in declined.content.decode()
    order = Order.objects.get()
    assert order.status == Order.Status.AWAITING_PAYMENT
    assert order.payments.get().status == Payment.Status.PENDING
    item.refresh_from_db()
    assert (item.held_quantity, item.purchased_quantity) == (1, 0)
    recipient = Client()
    recipient.force_login(item.wishlist.owner)
    assert recipient.get(reverse("gifts:received")).context["gifts"] == []
    assert not [m for m in mail.outbox if item.wishlist.owner.email in m.to]


def test_a_giver_sent_to_log_in_by_buy_as_a_gift_comes_back_to_the_list(client):
    """Logging in after "Buy as a gift" ends in a GET of the button's URL:
    it leads back to the list, with nothing in a cart, never to a 405."""
    item = WishListItemFactory()
    buy_url = reverse("gifts:buy", args=[item.wishlist.share_token, item.pk])
    response = client.post(buy_url, {"quantity": 1})
    assert response["Location"] == f"{reverse('account_login')}?next={buy_url}"

    client.force_login(UserFactory())
    response = client.get(buy_url)
    assert response["Location"] == item.wishlist.get_share_url()
    assert not Gift.objects.exists()
    assert client.get(reverse("shop:cart")).context["lines"] == []


def test_the_owner_cannot_buy_from_their_own_list(client):
    item = WishListItemFactory()
    client.force_login(item.wishlist.owner)
    response = client.post(
        reverse("gifts:buy", args=[item.wishlist.share_token, item.pk]),
        {"quantity": 1},
        follow=True,
    )
    assert "your own list" in response.content.decode()


def test_recipient_thanks_and_returns_through_the_pages(client):
    item = WishListItemFactory(product=ProductFactory(price=3000))
    gift = give(item)
    deliver(gift.order)
    client.force_login(gift.recipient)
    detail = client.get(gift.get_absolute_url())
    assert item.product.name in detail.content.decode()
    assert "¥3,000" not in detail.content.decode()  # no prices on gifts

    client.post(reverse("gifts:thank", args=[gift.pk]), {"note": "Arigatou!"})
    gift.refresh_from_db()
    assert gift.thank_you_note == "Arigatou!"

    client.post(
        reverse("gifts:return", args=[gift.pk]),
        {"line": gift.lines.get().pk, "kind": "return", "quantity": 1, "reason": ""},
    )
    assert gift.lines.get().returns.count() == 1

    giver_client = Client()
    giver_client.force_login(gift.giver)
    sent = giver_client.get(reverse("gifts:sent")).content.decode()
    assert "Arigatou!" in sent
    assert "Return" not in sent


def test_gift_pages_cost_the_same_for_10_or_100_gifts(client):
    wishlist = WishListFactory()
    giver = UserFactory()
    items = [WishListItemFactory(wishlist=wishlist) for _ in range(100)]
    for item in items[:10]:
        deliver(give(item, giver=giver).order)
    client.force_login(wishlist.owner)
    received_small = queries_for(client, reverse("gifts:received"))
    client.force_login(giver)
    sent_small = queries_for(client, reverse("gifts:sent"))
    for item in items[10:]:
        deliver(give(item, giver=giver).order)
    assert_same_queries(sent_small, queries_for(client, reverse("gifts:sent")))
    client.force_login(wishlist.owner)
    assert_same_queries(received_small, queries_for(client, reverse("gifts:received")))


def test_an_unsent_gift_cart_is_waiting_on_the_sent_page(client):
    item = WishListItemFactory()
    client.force_login(UserFactory())
    client.post(
        reverse("gifts:buy", args=[item.wishlist.share_token, item.pk]), {"quantity": 1}
    )
    page = client.get(reverse("gifts:sent")).content.decode()
    assert "haven&#x27;t sent it yet" in page or "haven't sent it yet" in page
    assert reverse("gifts:checkout", args=[item.wishlist.share_token]) in page


# --- The giver's choices, in words, where each side reads them ----------------


# The recipient's street and postal code (tests.wishlist.factories): a giver
# never sees them, whatever they chose.
def _recipient_address_absent(html: str, gift: Gift) -> None:
    address = gift.wishlist.address
    for secret in (address.line1, address.postal_code, address.city):
        assert secret not in html, f"{secret!r} shown to the giver"


@pytest.mark.parametrize(
    ("shows_name", "shares_address", "name_words", "address_words"),
    [
        (
            True,
            False,
            "They see your name.",
            "Neither of you sees the other&#x27;s address.",
        ),
        (
            False,
            True,
            "They see it&#x27;s from “a friend”.",
            "They can see your address, for a thank-you card. You never see theirs.",
        ),
    ],
)
def test_the_givers_order_page_shows_their_message_and_choices(
    client, shows_name, shares_address, name_words, address_words
):
    giver = UserFactory()
    AddressFactory(user=giver, is_default=True)
    gift = give(
        WishListItemFactory(),
        giver=giver,
        message="For cosy nights. — Haruto",
        shows_giver_name=shows_name,
        discloses_address=shares_address,
    )
    client.force_login(giver)
    html = client.get(gift.order.get_absolute_url()).content.decode()
    assert "Your gift for Aiko &amp; Ren" in html
    assert "For cosy nights. — Haruto" in html
    assert name_words in html
    assert address_words in html
    if shares_address:
        assert "Neither of you" not in html
    _recipient_address_absent(html, gift)
    # The order list marks it, by name only.
    orders = client.get(reverse("shop:order_list")).content.decode()
    assert "Gift for Aiko &amp; Ren" in orders
    _recipient_address_absent(orders, gift)


def test_an_order_that_is_no_gift_has_no_gift_section(client):
    order = placed_order()
    client.force_login(order.buyer)
    html = client.get(order.get_absolute_url()).content.decode()
    assert "Your gift for" not in html
    assert "Gift for" not in client.get(reverse("shop:order_list")).content.decode()


@pytest.mark.parametrize("shares_address", [True, False])
def test_the_thank_you_note_says_what_the_giver_shared(client, shares_address):
    giver = UserFactory()
    AddressFactory(user=giver, is_default=True, line1="GIVER-STREET 1-1")
    gift = give(WishListItemFactory(), giver=giver, discloses_address=shares_address)
    deliver(gift.order)
    client.force_login(gift.recipient)
    html = client.get(gift.get_absolute_url()).content.decode()
    if shares_address:
        assert "GIVER-STREET 1-1" in html
        assert "Neither of you" not in html
        assert "We pass it on. They never see your address." in html
    else:
        assert "GIVER-STREET 1-1" not in html
        assert "We pass it on. Neither of you sees the other's address." in html


def test_after_a_declined_card_the_gift_keeps_what_the_giver_typed(client):
    """The card is typed on the provider's page only: a declined one never
    reaches us and clears nothing of ours. Back in the shop without paying,
    the order keeps the message and choices, and pays from where it is."""
    item = WishListItemFactory()
    client.force_login(UserFactory())
    client.post(
        reverse("gifts:buy", args=[item.wishlist.share_token, item.pk]), {"quantity": 1}
    )
    checkout_url = reverse("gifts:checkout", args=[item.wishlist.share_token])
    page = client.get(checkout_url)
    form = _checkout_form(page, message="Happy wedding!", shows_giver_name="no")
    sent = client.post(checkout_url, form)
    client.post(sent["Location"], {"card_number": DECLINED_CARD})

    # "Back to the shop without paying" leads to the order's page.
    order = Order.objects.get()
    html = client.get(order.get_absolute_url()).content.decode()
    assert "Happy wedding!" in html
    assert "They see it&#x27;s from “a friend”." in html
    assert reverse("shop:order_pay", args=[order.pk]) in html
    # The browser's back button re-sends the gift form: the same order, to pay.
    assert client.post(checkout_url, form)["Location"] == sent["Location"]
    paid = pay_in_browser(client, client.post(checkout_url, form))
    assert paid.redirect_chain[-1][0] == order.get_absolute_url()
    gift = Gift.objects.get()
    assert (gift.message, gift.shows_giver_name) == ("Happy wedding!", False)


@pytest.mark.parametrize(
    ("display_name", "shows_name", "english", "japanese"),
    [
        ("Haruto", True, "A gift from Haruto", "Harutoさんからのギフト"),
        ("Haruto", False, "A gift from a friend", "友人からのギフト"),
        ("", True, "A gift from a Hoshii customer", "Hoshiiのお客様からのギフト"),
    ],
)
def test_the_recipient_reads_who_sent_it_in_a_sentence_in_both_languages(
    client, display_name, shows_name, english, japanese
):
    gift = give(
        WishListItemFactory(),
        giver=UserFactory(display_name=display_name),
        shows_giver_name=shows_name,
    )
    deliver(gift.order)
    client.force_login(gift.recipient)
    html = client.get(gift.get_absolute_url()).content.decode()
    assert f"<h1>{english}</h1>" in html
    client.post(reverse("set_language"), {"language": "ja"})
    html = client.get(gift.get_absolute_url()).content.decode()
    assert f"<h1>{japanese}</h1>" in html
