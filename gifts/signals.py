"""What gifts do when the shop settles a gift order's payment."""

from django.dispatch import receiver

from gifts.models import GiftLine
from shop.hooks import order_cancelled
from wishlist import services as wishlist_services


@receiver(order_cancelled)
def give_back_wished_units(sender, order, **kwargs) -> None:
    """A gift order cancelled unpaid gives its units back to the list, so
    another giver can buy them; the recipient never knew of it."""
    for line in GiftLine.objects.filter(gift__order=order).select_related("order_line"):
        wishlist_services.release_purchase(
            item_id=line.wishlist_item_id, quantity=line.order_line.quantity
        )
