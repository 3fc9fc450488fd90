"""Gifts bought the way a giver buys them: through the services."""

from gifts import services
from gifts.models import Gift, GiftReturn
from shop.models import User
from tests.shop.factories import UserFactory, expected_total, pay
from wishlist.models import WishListItem


def give(
    item: WishListItem,
    *,
    giver: User | None = None,
    quantity: int = 1,
    message: str = "Congratulations!",
    shows_giver_name: bool = True,
    discloses_address: bool = False,
    allow_over_gift: bool = False,
) -> Gift:
    """``giver`` (a new customer by default) buys ``quantity`` of a list item."""
    giver = giver or UserFactory()
    line = services.add_gift_to_cart(giver=giver, item=item, quantity=quantity)
    gift = services.place_gift_order(
        giver=giver,
        wishlist=item.wishlist,
        cart=line.cart,
        expected_total=expected_total(line.cart),
        message=message,
        shows_giver_name=shows_giver_name,
        discloses_address=discloses_address,
        allow_over_gift=allow_over_gift,
    )
    pay(gift.order)
    return Gift.objects.get(pk=gift.pk)


def ask_to_return(gift: Gift, *, quantity: int = 1, reason: str = "") -> GiftReturn:
    """The recipient asks to send back ``quantity`` of the gift's (only) line
    for store credit, as the gift's page does."""
    return services.request_return(
        gift_line=gift.lines.get(),
        recipient=gift.recipient,
        kind=GiftReturn.Kind.RETURN,
        quantity=quantity,
        reason=reason,
    )
