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
    ProductFactory,
    UserFactory,
    deliver,
    pay_in_browser,
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
