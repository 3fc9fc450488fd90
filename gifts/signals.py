"""What gifts do when the shop settles a gift order's payment: the list's
units it holds become bought, or are given back."""

from django.dispatch import receiver

from gifts.models import GiftLine
from shop.hooks import order_cancelled, order_paid
from wishlist import services as wishlist_services


def _held_lines(order):
    if not order.ship_to_hidden_from_buyer:
        # A gift ships to its recipient, hidden from the giver
        # (``services.place_gift_order``): an order that is not hidden holds no
        # gift's units, and the shop's own orders need no look-up here.
        return []
    return GiftLine.objects.filter(gift__order=order).select_related("order_line")


@receiver(order_paid)
def count_wished_units_bought(sender, order, **kwargs) -> None:
    """A gift order paid: the units it held are bought, and the list's
    owner may see them (as the surprise rule allows)."""
    for line in _held_lines(order):
        wishlist_services.confirm_purchase(
            item_id=line.wishlist_item_id, quantity=line.order_line.quantity
        )


@receiver(order_cancelled)
def give_back_wished_units(sender, order, **kwargs) -> None:
    """A gift order cancelled unpaid gives its units back to the list, so
    another giver can buy them; the recipient never knew of it."""
    for line in _held_lines(order):
        wishlist_services.release_purchase(
            item_id=line.wishlist_item_id, quantity=line.order_line.quantity
        )
