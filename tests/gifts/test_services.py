"""Giving from a wish list: counts, over-gifting, thanks, returns to credit."""

import pytest
from django.core import mail

from gifts import selectors, services
from gifts.exceptions import GiftError, ListHasNoAddress, OwnList, StillASurprise
from gifts.models import Gift, GiftLine, GiftReturn
from shop import selectors as shop_selectors
from shop import services as shop_services
from shop.models import Order
from tests.shop.factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    deliver,
    placed_order,
)
from tests.wishlist.factories import WishListFactory, WishListItemFactory
from wishlist.exceptions import AlreadyBought, ItemNoLongerOnList
from wishlist.models import WishList

from .factories import ask_to_return, give

pytestmark = pytest.mark.django_db


def test_a_gift_ships_to_the_hidden_list_address_and_counts_on_the_list():
    item = WishListItemFactory(desired_quantity=3, product=ProductFactory(price=4000))
    giver = UserFactory(display_name="Haruto")
    gift = give(item, giver=giver, quantity=2, message="Omedetou!")

    order = gift.order
    assert order.buyer == giver
    assert order.ship_to_hidden_from_buyer
    assert order.ship_to_line1 == item.wishlist.address.line1
    assert order.buyer_destination()["name"] == "Aiko & Ren"
    assert (gift.recipient, gift.message, gift.sender_label) == (
        item.wishlist.owner,
        "Omedetou!",
        "Haruto",
    )
    item.refresh_from_db()
    assert (item.purchased_quantity, item.remaining) == (2, 1)
    assert selectors.line_owner(order_line=order.lines.get()) == item.wishlist.owner


def test_a_plain_order_line_belongs_to_its_buyer():
    order = placed_order()
    assert selectors.line_owner(order_line=order.lines.get()) == order.buyer


def test_the_giver_chooses_what_the_recipient_learns():
    item = WishListItemFactory(desired_quantity=2)
    giver = UserFactory(display_name="Haruto")
    AddressFactory(
        user=giver, is_default=True, line1="GIVER 9-9", phone="+819000000000"
    )
    anonymous = give(item, giver=giver, shows_giver_name=False)
    assert (anonymous.sender_label, anonymous.giver_name, anonymous.giver_address) == (
        "A friend",
        "",
        "",
    )
    shared = give(item, giver=giver, discloses_address=True)
    assert "GIVER 9-9" in shared.giver_address
    assert "+81" not in shared.giver_address  # an envelope needs no phone


@pytest.mark.parametrize(
    ("language", "card"),
    [
        ("ja", "〒150-0041\n東京都渋谷区神南9-9\nHaruto Giver 様"),
        ("en", "Haruto Giver\n9-9\n渋谷区神南, Tokyo 150-0041\nJapan"),
    ],
)
def test_a_shared_address_is_written_for_the_recipient_who_reads_it(language, card):
    item = WishListItemFactory(wishlist__owner__language=language)
    giver = UserFactory(display_name="Haruto")
    AddressFactory(
        user=giver,
        is_default=True,
        recipient_name="Haruto Giver",
        region="JP-13",
        city="渋谷区神南",
        line1="9-9",
    )
    assert give(item, giver=giver, discloses_address=True).giver_address == card


def test_sharing_an_address_needs_one_in_the_book():
    item = WishListItemFactory()
    with pytest.raises(GiftError, match="address book"):
        give(item, giver=UserFactory(), discloses_address=True)
    assert not Gift.objects.exists()


def test_buying_from_your_own_list_is_refused():
    item = WishListItemFactory()
    with pytest.raises(OwnList):
        give(item, giver=item.wishlist.owner)


def test_a_list_without_an_address_takes_no_gifts():
    item = WishListItemFactory(wishlist=WishListFactory(address=None))
    with pytest.raises(ListHasNoAddress):
        give(item)


def test_a_private_list_cannot_be_given_to():
    item = WishListItemFactory(
        wishlist=WishListFactory(visibility=WishList.Visibility.PRIVATE)
    )
    with pytest.raises(WishList.DoesNotExist):
        give(item)


def test_an_item_removed_mid_checkout_is_a_clear_refusal():
    item = WishListItemFactory()
    giver = UserFactory()
    line = services.add_gift_to_cart(giver=giver, item=item, quantity=1)
    item.delete()
    with pytest.raises(ItemNoLongerOnList):
        services.place_gift_order(
            giver=giver,
            wishlist=WishList.objects.get(),
            cart=line.cart,
            expected_total=shop_services.quote(cart=line.cart)[1].total,
        )
    assert not Order.objects.exists()


def test_the_last_unit_needs_a_confirmation_to_over_gift():
    item = WishListItemFactory(desired_quantity=1)
    give(item)
    with pytest.raises(AlreadyBought, match="already been bought"):
        give(item)
    assert Gift.objects.count() == 1
    give(item, allow_over_gift=True)
    item.refresh_from_db()
    assert item.purchased_quantity == 2
    assert Gift.objects.count() == 2


def test_thank_you_is_relayed_once_by_email(django_capture_on_commit_callbacks):
    item = WishListItemFactory()
    gift = give(item, giver=UserFactory(email="giver@example.com"))
    deliver(gift.order)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_thank_you(
            gift=gift, recipient=item.wishlist.owner, note="We love it!"
        )
    thanks = mail.outbox[-1]
    assert thanks.to == ["giver@example.com"]
    assert "We love it!" in thanks.body
    with pytest.raises(GiftError):
        services.send_thank_you(gift=gift, recipient=item.wishlist.owner, note="Again")
    with pytest.raises(Gift.DoesNotExist):
        services.send_thank_you(gift=gift, recipient=gift.giver, note="Not mine")


def test_a_return_credits_the_recipient_and_leaves_the_giver_alone(
    django_capture_on_commit_callbacks,
):
    item = WishListItemFactory(desired_quantity=2, product=ProductFactory(price=5000))
    gift = give(item, quantity=2)
    line = gift.lines.get()
    with pytest.raises(StillASurprise):
        ask_to_return(gift)
    deliver(gift.order)
    with pytest.raises(GiftLine.DoesNotExist):
        services.request_return(
            gift_line=line, recipient=gift.giver, kind="return", quantity=1, reason=""
        )
    with pytest.raises(GiftError):
        ask_to_return(gift, quantity=3)  # two were given
    giver_mail_before = [m for m in mail.outbox if gift.giver.email in m.to]
    gift_return = services.request_return(
        gift_line=line,
        recipient=gift.recipient,
        kind="exchange",
        quantity=1,
        reason="Two",
    )
    staff = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.receive_return(gift_return=gift_return, actor=staff)
        services.receive_return(gift_return=gift_return, actor=staff)  # idempotent
    assert shop_selectors.store_credit_balance(user=gift.recipient) == 5000
    assert shop_selectors.store_credit_balance(user=gift.giver) == 0
    gift_return.refresh_from_db()
    assert gift_return.status == GiftReturn.Status.CREDITED
    assert selectors.returnable_quantity(gift_line=line) == 1
    assert [m for m in mail.outbox if gift.giver.email in m.to] == giver_mail_before
    assert mail.outbox[-1].to == [gift.recipient.email]
    order = Order.objects.get(pk=gift.order_id)
    assert order.status == Order.Status.DELIVERED  # the giver's order is unchanged
    assert list(order.payments.values_list("status", flat=True)) == ["captured"]


def test_the_recipient_can_pay_with_the_credit_at_checkout():
    item = WishListItemFactory(product=ProductFactory(price=5000))
    gift = give(item)
    deliver(gift.order)
    gift_return = ask_to_return(gift)
    services.receive_return(gift_return=gift_return, actor=None)
    recipient = gift.recipient
    cart = shop_services.create_cart(owner=recipient)
    shop_services.add_to_cart(
        cart=cart, product_id=ProductFactory(price=4400).pk, quantity=1
    )
    order = shop_services.place_order(
        cart=cart,
        buyer=recipient,
        destination=shop_services.Destination(address=item.wishlist.address),
        expected_total=5000,
        use_store_credit=True,
    )
    assert order.total == 5000
    assert shop_selectors.store_credit_balance(user=recipient) == 0


def test_placing_the_same_gift_cart_twice_returns_the_first_gift():
    item = WishListItemFactory(desired_quantity=5)
    giver = UserFactory()
    line = services.add_gift_to_cart(giver=giver, item=item, quantity=1)
    kwargs = {
        "giver": giver,
        "wishlist": item.wishlist,
        "cart": line.cart,
        "expected_total": shop_services.quote(cart=line.cart)[1].total,
    }
    first = services.place_gift_order(**kwargs)
    assert services.place_gift_order(**kwargs) == first
    # Awaiting its payment, it holds the unit on the list all the same.
    assert first.order.status == Order.Status.AWAITING_PAYMENT
    assert first.order.payments.count() == 1
    item.refresh_from_db()
    assert (item.held_quantity, item.purchased_quantity) == (1, 0)


def test_surprise_holds_until_delivery_or_the_reveal():
    item = WishListItemFactory()
    gift = give(item)
    assert not selectors.is_revealed_to_recipient(gift)
    deliver(gift.order)
    gift = Gift.objects.select_related("order", "wishlist").get(pk=gift.pk)
    assert selectors.is_revealed_to_recipient(gift)

    other = give(WishListItemFactory(wishlist=item.wishlist))
    assert not selectors.is_revealed_to_recipient(other)
    item.wishlist.surprise_protection = False
    item.wishlist.save()
    other = Gift.objects.select_related("order", "wishlist").get(pk=other.pk)
    assert selectors.is_revealed_to_recipient(other)


def test_an_anonymous_giver_sharing_an_address_stays_anonymous():
    giver = UserFactory(display_name="Haruto")
    AddressFactory(user=giver, is_default=True, recipient_name="Haruto Sato")
    gift = give(
        WishListItemFactory(),
        giver=giver,
        shows_giver_name=False,
        discloses_address=True,
    )
    assert gift.giver_address
    assert "Haruto" not in gift.giver_address
