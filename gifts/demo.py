"""Demo data: two gifts from the shopper to the couple, one delivered."""

from gifts import services
from gifts.models import Gift
from shop import services as shop_services
from shop.demo import demo_user, pay_demo_order
from wishlist.demo import WEDDING_LIST_TITLE
from wishlist.models import WishList


def _give(*, giver, wishlist, sku: str, **choices) -> Gift:
    item = wishlist.items.get(product__sku=sku)
    line = services.add_gift_to_cart(giver=giver, item=item, quantity=1)
    _lines, totals = shop_services.quote(cart=line.cart)
    gift = services.place_gift_order(
        giver=giver,
        wishlist=wishlist,
        cart=line.cart,
        expected_total=totals.total,
        **choices,
    )
    pay_demo_order(gift.order)
    return Gift.objects.select_related("order").get(pk=gift.pk)


def seed(stdout) -> None:
    shopper = demo_user("shopper")
    wishlist = WishList.objects.get(owner=demo_user("couple"), title=WEDDING_LIST_TITLE)
    if Gift.objects.filter(giver=shopper, wishlist=wishlist).exists():
        return
    # Delivered, name shown, address shared for a thank-you card.
    delivered = _give(
        giver=shopper,
        wishlist=wishlist,
        sku="TEA-002",
        message="Omedetou! For slow Sunday mornings together. — Haruto",
        shows_giver_name=True,
        discloses_address=True,
    )
    shipment = shop_services.create_shipment_for_remaining(
        order=delivered.order, actor=None
    )
    shop_services.mark_shipped(
        shipment=shipment, actor=None, tracking_number="HP-2026-000456"
    )
    shop_services.mark_delivered(shipment=shipment, actor=None)
    # Still on its way: a surprise, sent as "a friend", address not shared.
    _give(
        giver=shopper,
        wishlist=wishlist,
        sku="KIT-004",
        message="May your home always be warm.",
        shows_giver_name=False,
        discloses_address=False,
    )
    stdout.write(f"Gifts: 2 from {shopper.email} to the wedding list")
