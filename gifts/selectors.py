"""Read queries for gift pages, and the rule of who owns an order line."""

from django.db.models import Prefetch, QuerySet, Sum

from gifts.models import Gift, GiftLine, GiftReturn
from shop.models import Cart, OrderLine, Shipment, ShipmentLine, User
from wishlist.models import WishList


def line_owner(*, order_line: OrderLine) -> User:
    """Who may file cases, returns and exchanges for this line.

    A gifted line belongs to its recipient; any other line to its buyer.
    """
    gift_line = (
        GiftLine.objects.select_related("gift__recipient")
        .filter(order_line=order_line)
        .first()
    )
    return gift_line.gift.recipient if gift_line else order_line.order.buyer


def _with_details(gifts: QuerySet[Gift]) -> QuerySet[Gift]:
    return gifts.select_related("order", "wishlist").prefetch_related(
        Prefetch(
            "lines",
            queryset=GiftLine.objects.select_related("order_line").prefetch_related(
                Prefetch("returns", queryset=GiftReturn.objects.order_by("pk"))
            ),
        ),
        Prefetch(
            "order__shipments",
            queryset=Shipment.objects.prefetch_related(
                Prefetch(
                    "lines", queryset=ShipmentLine.objects.select_related("order_line")
                )
            ),
        ),
    )


def gifts_received(*, recipient: User) -> QuerySet[Gift]:
    return _with_details(Gift.objects.filter(recipient=recipient))


def gift_for_recipient(*, recipient: User, pk: int) -> Gift:
    """One of the recipient's gifts; ``DoesNotExist`` for anyone else."""
    return _with_details(Gift.objects.filter(recipient=recipient)).get(pk=pk)


def gifts_sent(*, giver: User) -> QuerySet[Gift]:
    """The giver's view: no returns, nothing of the recipient's account."""
    return (
        Gift.objects.filter(giver=giver)
        .select_related("order", "wishlist__owner")
        .prefetch_related(
            Prefetch("lines", queryset=GiftLine.objects.select_related("order_line"))
        )
    )


def is_revealed_to_recipient(gift: Gift) -> bool:
    """Surprise protection: the recipient sees what it is, and from whom,
    once it is delivered or the list is revealed."""
    return gift.wishlist.is_revealed or gift.order.status == gift.order.Status.DELIVERED


def unsent_gifts(*, giver: User) -> list[tuple[WishList, int]]:
    """Gift carts the giver filled but has not checked out, with their units."""
    units = dict(
        Cart.objects.filter(
            owner=giver,
            status=Cart.Status.OPEN,
            purpose__startswith="gift:",
            lines__isnull=False,
        )
        .values_list("purpose")
        .annotate(units=Sum("lines__quantity"))
    )
    lists = WishList.objects.select_related("owner").in_bulk(
        [int(purpose.removeprefix("gift:")) for purpose in units]
    )
    return [
        (lists[int(purpose.removeprefix("gift:"))], count)
        for purpose, count in units.items()
        if int(purpose.removeprefix("gift:")) in lists
    ]
