"""Read queries for gift pages, the rule of who owns an order line, and the
surprise rule: what a recipient may know of a gift before it is revealed.

Every page, form, email or endpoint that shows a gift to its recipient reads
it through ``is_revealed_to_recipient`` (or a selector built on it), never
through its own test in a view or template.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gifts.models import Gift, GiftLine, GiftReturn
from shop.images import with_first_image
from shop.models import Cart, Order, OrderLine, Shipment, ShipmentLine, User
from wishlist.models import WishList


def line_owner(*, order_line: OrderLine) -> User:
    """Who may file cases, returns and exchanges for this line.

    A gifted line belongs to its recipient; any other line to its buyer.
    The recipient may act on it only once it is no longer a surprise
    (``line_hidden_from``).
    """
    gift_line = (
        GiftLine.objects.select_related("gift__recipient")
        .filter(order_line=order_line)
        .first()
    )
    return gift_line.gift.recipient if gift_line else order_line.order.buyer


def line_gift(*, order_line: OrderLine) -> Gift | None:
    """The gift ``order_line`` is part of, with its order and wish list, or
    None. No query for a line loaded as ``support.selectors.order_for_help``
    loads it (with ``select_related("gift_line")``, its order with
    ``select_related("gift__wishlist")``); one otherwise."""
    order = order_line.order if OrderLine.order.is_cached(order_line) else None
    if (
        order is not None
        and OrderLine.gift_line.is_cached(order_line)
        and Order.gift.is_cached(order)
    ):
        gift_line = getattr(order_line, "gift_line", None)
        if gift_line is None:
            return None
        gift = getattr(order, "gift", None)
        if (
            gift is not None
            and gift.pk == gift_line.gift_id
            and Gift.wishlist.is_cached(gift)
        ):
            return gift
    return (
        Gift.objects.select_related("order", "wishlist")
        .filter(lines__order_line=order_line)
        .first()
    )


# --- The surprise rule --------------------------------------------------------


def is_revealed_to_recipient(gift: Gift) -> bool:
    """The surprise rule, decided here and nowhere else: the recipient may
    see what a gift is, and from whom, once it is delivered or its list is
    revealed (the owner pressed "reveal", turned surprise protection off, or
    the list's date has passed)."""
    return gift.wishlist.is_revealed or gift.order.status == gift.order.Status.DELIVERED


def is_surprise_for(*, gift: Gift, viewer: User) -> bool:
    """Is ``gift`` still a surprise for ``viewer``? Only ever for its
    recipient: the giver and staff know what it is. A gift not paid for
    (awaiting payment, or cancelled) is not the recipient's at all yet:
    hidden from them just the same."""
    return viewer.pk == gift.recipient_id and (
        not gift.order.is_paid or not is_revealed_to_recipient(gift)
    )


def order_hidden_from(*, order: Order, viewer: User) -> bool:
    """Is ``order`` a gift still a surprise for ``viewer``? Then nothing of
    it (its lines, its giver) may be shown to them, and nothing filed on it.
    Load the order with ``select_related("gift__wishlist")``."""
    gift = getattr(order, "gift", None)
    return gift is not None and is_surprise_for(gift=gift, viewer=viewer)


def line_hidden_from(*, order_line: OrderLine, viewer: User) -> bool:
    """Is this order line part of a gift still a surprise for ``viewer``?"""
    gift = line_gift(order_line=order_line)
    return gift is not None and is_surprise_for(gift=gift, viewer=viewer)


@dataclass(frozen=True)
class Surprise:
    """All a recipient may know of a gift still a surprise: that one is on
    its way, for which of their lists, and how far it has come. It carries
    no line, message, sender or order, so no page built on it can show
    them."""

    pk: int
    list_title: str
    status: str
    status_display: str
    created_at: datetime.datetime
    is_surprise: bool = True

    def get_absolute_url(self) -> str:
        return reverse("gifts:received_detail", kwargs={"pk": self.pk})


def as_seen_by_recipient(gift: Gift) -> Gift | Surprise:
    """The gift itself once revealed; until then a ``Surprise``."""
    if is_revealed_to_recipient(gift):
        return gift
    return Surprise(
        pk=gift.pk,
        list_title=gift.wishlist.title,
        status=gift.order.status,
        status_display=gift.order.get_status_display(),
        created_at=gift.created_at,
    )


def _gift_lines() -> QuerySet[GiftLine]:
    return GiftLine.objects.select_related("order_line__product").prefetch_related(
        with_first_image("order_line__product__images")
    )


def _with_details(gifts: QuerySet[Gift]) -> QuerySet[Gift]:
    return gifts.select_related("order", "wishlist").prefetch_related(
        Prefetch(
            "lines",
            queryset=_gift_lines().prefetch_related(
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


def _received(recipient: User) -> QuerySet[Gift]:
    """The recipient's gifts: those paid for. A gift order awaiting payment,
    or cancelled unpaid, is not theirs, and nothing of it reaches them."""
    return Gift.objects.filter(recipient=recipient).exclude(
        order__status__in=Order.UNPAID
    )


def gifts_received(
    *, recipient: User, limit: int | None = None
) -> list[Gift | Surprise]:
    """The recipient's gifts, newest first, as the recipient may see them:
    a ``Surprise`` for each one not yet revealed."""
    gifts = _with_details(_received(recipient))
    if limit is not None:
        gifts = gifts[:limit]
    return [as_seen_by_recipient(gift) for gift in gifts]


def received_gift(*, recipient: User, pk: int) -> Gift | Surprise:
    """One of the recipient's gifts as they may see it; ``DoesNotExist`` for
    anyone else's."""
    return as_seen_by_recipient(_with_details(_received(recipient)).get(pk=pk))


def gift_for_recipient(*, recipient: User, pk: int) -> Gift:
    """One of the recipient's gifts, whole, for the actions on it (thank,
    return), whose services refuse a surprise; ``DoesNotExist`` for anyone
    else. Pages show ``received_gift`` instead."""
    return _with_details(_received(recipient)).get(pk=pk)


# --- What the giver chose, in words ------------------------------------------


def address_sharing(*, gift: Gift, viewer: User) -> str:
    """Whose address the other side of ``gift`` sees, in plain words for
    ``viewer`` (its giver or its recipient), as the giver chose: the one
    place that says it, so no page tells a recipient "neither of you sees
    the other's address" under the address the giver shared with them.

    The recipient's address is never shown to the giver, whatever the
    choice; a shared address is removed after the thank-you window
    (``gifts.services.forget_giver_addresses``), and the giver is told."""
    if not gift.discloses_address:
        return _("Neither of you sees the other's address.")
    if viewer.pk == gift.giver_id and gift.giver_address_forgotten_at is not None:
        return ngettext(
            "They could see your address for a thank-you card; it was removed "
            "%(days)d day after delivery. You never see theirs.",
            "They could see your address for a thank-you card; it was removed "
            "%(days)d days after delivery. You never see theirs.",
            settings.GIFT_THANK_YOU_DAYS,
        ) % {"days": settings.GIFT_THANK_YOU_DAYS}
    if viewer.pk == gift.giver_id:
        return _(
            "They can see your address, for a thank-you card. You never see theirs."
        )
    return _("They never see your address.")


def sender_choice(gift: Gift) -> str:
    """What the recipient is told of who sent ``gift``, in words for its
    giver."""
    if gift.shows_giver_name:
        return _("They see your name.")
    return _("They see it's from “a friend”.")


@dataclass(frozen=True)
class SentGift:
    """A gift order as its giver sees it on the order's page: for whom, the
    message, and the choices, in words. Nothing of where it goes."""

    recipient_name: str
    message: str
    sender_choice: str
    address_sharing: str


def sent_gift_for_order(*, order: Order, giver: User) -> SentGift | None:
    """The gift ``order`` is, for its giver; ``None`` for any other order or
    viewer. An order that does not ship hidden from its buyer is no gift
    (``gifts.services.place_gift_order``), and costs no query."""
    if not order.ship_to_hidden_from_buyer:
        return None
    gift = (
        Gift.objects.select_related("wishlist__owner")
        .filter(order=order, giver=giver)
        .first()
    )
    if gift is None:
        return None
    return SentGift(
        recipient_name=gift.wishlist.owner.name_in_sentence,
        message=gift.message,
        sender_choice=sender_choice(gift),
        address_sharing=address_sharing(gift=gift, viewer=giver),
    )


def gifts_sent(*, giver: User) -> QuerySet[Gift]:
    """The giver's view: no returns, nothing of the recipient's account."""
    return (
        Gift.objects.filter(giver=giver)
        .select_related("order", "wishlist__owner")
        .prefetch_related(Prefetch("lines", queryset=_gift_lines()))
    )


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


def return_window() -> datetime.timedelta:
    """How long after delivery a gift may be sent back (``GIFT_RETURN_DAYS``);
    the recipient's address leaves the order when it closes."""
    return datetime.timedelta(days=settings.GIFT_RETURN_DAYS)


def thank_you_window() -> datetime.timedelta:
    """How long after delivery a giver's shared address stays on the gift
    (``GIFT_THANK_YOU_DAYS``)."""
    return datetime.timedelta(days=settings.GIFT_THANK_YOU_DAYS)


def delivered_before(cutoff: datetime.datetime) -> QuerySet[Gift]:
    """Gifts paid for whose every parcel (replacements too) was delivered,
    the last one at or before ``cutoff``: nothing of them is on its way,
    and no window counted from their delivery is still open."""
    still_open = Shipment.objects.filter(order_id=OuterRef("order_id")).filter(
        Q(delivered_at__isnull=True) | Q(delivered_at__gt=cutoff)
    )
    return Gift.objects.filter(order__status=Order.Status.DELIVERED).exclude(
        Exists(still_open)
    )


@dataclass(frozen=True)
class ReturnWindow:
    """When a delivered gift's returns close, and whether they still are open."""

    closes_at: datetime.datetime
    is_open: bool


def gift_return_window(
    gift: Gift, *, now: datetime.datetime | None = None
) -> ReturnWindow | None:
    """The return window of a delivered gift: its last parcel's delivery
    plus ``GIFT_RETURN_DAYS``; None while a parcel is on its way. Reads the
    order's shipments as loaded (``received_gift`` prefetches them)."""
    shipments = list(gift.order.shipments.all())
    if gift.order.status != Order.Status.DELIVERED or not shipments:
        return None
    if any(shipment.delivered_at is None for shipment in shipments):
        return None
    closes_at = max(shipment.delivered_at for shipment in shipments) + return_window()
    return ReturnWindow(
        closes_at=closes_at, is_open=(now or timezone.now()) < closes_at
    )


def returnable_quantity(
    *, gift_line: GiftLine, now: datetime.datetime | None = None
) -> int:
    """Delivered units of the line not already being returned, counting
    only parcels delivered within the return window."""
    now = now or timezone.now()
    delivered = (
        ShipmentLine.objects.filter(
            order_line_id=gift_line.order_line_id,
            shipment__status=Shipment.Status.DELIVERED,
            shipment__delivered_at__gt=now - return_window(),
        ).aggregate(total=Sum("quantity"))["total"]
        or 0
    )
    returned = gift_line.returns.aggregate(total=Sum("quantity"))["total"] or 0
    return max(delivered - returned, 0)
