"""Shipping orders: parcels with some or all of an order's lines."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shop.exceptions import FulfilmentError, NothingLeftToShip, OutOfStock
from shop.models import (
    Order,
    OrderEvent,
    OrderLine,
    Product,
    Shipment,
    ShipmentLine,
    User,
)
from shop.selectors import unshipped_quantities
from shop.services.stock import take_stock
from shop.tasks import send_shipment_notification


def _lock_order(order: Order, *, new_parcel: bool = False) -> Order:
    """The order's row, locked; an order not paid for ships nothing, and a
    new parcel never goes to an address removed after delivery
    (``shop.services.forget_destinations``)."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if not locked.is_paid:
        raise FulfilmentError(_("This order is not paid for, so nothing ships."))
    if new_parcel and locked.ship_to_forgotten_at is not None:
        raise FulfilmentError(
            _(
                "This order's address was removed after delivery, as our "
                "privacy policy says: ask the customer where to send it and "
                "make a new order."
            )
        )
    return locked


def _refresh_status(order: Order) -> None:
    shipments = list(
        order.shipments.filter(reason=Shipment.Reason.ORDER).values_list(
            "status", flat=True
        )
    )
    all_allocated = not any(unshipped_quantities(order).values())
    on_their_way = [s for s in shipments if s != Shipment.Status.PREPARING]
    if (
        all_allocated
        and shipments
        and all(s == Shipment.Status.DELIVERED for s in shipments)
    ):
        status = Order.Status.DELIVERED
    elif all_allocated and shipments and len(on_their_way) == len(shipments):
        status = Order.Status.SHIPPED
    elif on_their_way:
        status = Order.Status.PARTIALLY_SHIPPED
    else:
        status = Order.Status.PLACED
    if order.status != status:
        order.status = status
        order.save(update_fields=["status"])


# The status a parcel moves on to, from the one before it, and what a parcel
# at neither is told.
_MOVES = {
    Shipment.Status.SHIPPED: (
        Shipment.Status.PREPARING,
        gettext_lazy("That shipment has already been delivered."),
    ),
    Shipment.Status.DELIVERED: (
        Shipment.Status.SHIPPED,
        gettext_lazy("Mark the shipment shipped before delivered."),
    ),
}


def _lock_for_move(shipment: Shipment, *, to: str) -> tuple[Order, Shipment, bool]:
    """The shipment's order and the shipment, locked in that order, and
    whether the shipment still moves ``to``: not when it is already there
    (asked twice, nothing changes). One that is neither there nor at the
    status before (``_MOVES``) raises ``FulfilmentError``."""
    order = _lock_order(shipment.order)
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if shipment.status == to:
        return order, shipment, False
    before, refusal = _MOVES[to]
    if shipment.status != before:
        raise FulfilmentError(str(refusal))
    return order, shipment, True


def _record_move(
    *, order: Order, shipment: Shipment, actor: User | None, kind: str
) -> None:
    """A parcel's move on the order's timeline, and the order's status after
    it."""
    OrderEvent.objects.create(order=order, shipment=shipment, actor=actor, kind=kind)
    _refresh_status(order)


@transaction.atomic
def create_shipment(
    *,
    order: Order,
    quantities: dict[int, int],
    actor: User | None,
    carrier: str = "",
    submission_key: str | None = None,
) -> Shipment:
    """A new parcel in ``preparing`` with the given units of each line.

    ``quantities`` maps order line ids to units; a line may not be shipped
    more often than it was ordered. The order row is locked so two staff
    members can't both allocate the same units.

    Guarantees: one form submission (``submission_key``) makes one parcel:
    its twin waits on the order's lock, then returns the first one's parcel
    (a unique constraint on the order and the key holds it too).
    """
    order = _lock_order(order, new_parcel=True)
    if submission_key:
        made = Shipment.objects.filter(order=order, submission_key=submission_key)
        if made.exists():
            return made.get()
    remaining = unshipped_quantities(order)
    wanted = {line_id: qty for line_id, qty in quantities.items() if qty}
    if not wanted:
        raise FulfilmentError(_("Choose at least one item to ship."))
    for line_id, quantity in wanted.items():
        if line_id not in remaining:
            raise FulfilmentError(_("That item is not part of this order."))
        if quantity < 0 or quantity > remaining[line_id]:
            raise FulfilmentError(
                _("Only %(count)d of that item are left to ship.")
                % {"count": remaining[line_id]}
            )
    shipment = Shipment.objects.create(
        order=order, carrier=carrier, submission_key=submission_key or None
    )
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, order_line_id=line_id, quantity=quantity)
        for line_id, quantity in sorted(wanted.items())
    )
    OrderEvent.objects.create(
        order=order,
        shipment=shipment,
        actor=actor,
        kind=OrderEvent.Kind.SHIPMENT_CREATED,
        message=_("%(units)d item(s)") % {"units": sum(wanted.values())},
    )
    return shipment


@transaction.atomic
def create_shipment_for_remaining(*, order: Order, actor: User | None) -> Shipment:
    """A parcel with everything not yet in one.

    Guarantees: what is left is read under the order's lock, so asked twice
    at once it makes one parcel; the second finds nothing left and raises
    ``NothingLeftToShip``.
    """
    order = _lock_order(order, new_parcel=True)
    remaining = unshipped_quantities(order)
    if not any(remaining.values()):
        raise NothingLeftToShip(_("Everything in this order is already in a shipment."))
    return create_shipment(order=order, quantities=remaining, actor=actor)


@transaction.atomic
def mark_shipped(
    *,
    shipment: Shipment,
    actor: User | None,
    carrier: str = "",
    tracking_number: str = "",
) -> Shipment:
    """Hand the parcel to the carrier; the customer is emailed after commit.

    Marking a shipped parcel shipped again changes nothing.
    """
    order, shipment, moves = _lock_for_move(shipment, to=Shipment.Status.SHIPPED)
    if not moves:
        return shipment
    now = timezone.now()
    shipment.status = Shipment.Status.SHIPPED
    shipment.shipped_at = now
    shipment.carrier = carrier or shipment.carrier or "Hoshii Post"
    shipment.tracking_number = tracking_number or shipment.tracking_number
    shipment.estimated_delivery = timezone.localdate(now) + datetime.timedelta(
        days=settings.SHOP_DELIVERY_DAYS
    )
    shipment.save()
    _record_move(
        order=order, shipment=shipment, actor=actor, kind=OrderEvent.Kind.SHIPPED
    )
    transaction.on_commit(
        lambda: send_shipment_notification.delay(shipment_id=shipment.pk)
    )
    return shipment


@transaction.atomic
def mark_delivered(*, shipment: Shipment, actor: User | None) -> Shipment:
    """Record delivery of a shipped parcel; doing it twice changes nothing."""
    order, shipment, moves = _lock_for_move(shipment, to=Shipment.Status.DELIVERED)
    if not moves:
        return shipment
    shipment.status = Shipment.Status.DELIVERED
    shipment.delivered_at = timezone.now()
    shipment.save(update_fields=["status", "delivered_at"])
    _record_move(
        order=order, shipment=shipment, actor=actor, kind=OrderEvent.Kind.DELIVERED
    )
    return shipment


def _extra_shipment(
    *, order: Order, reason: str, note: str, actor: User | None, message: str
) -> Shipment:
    """A parcel on top of the order (a replacement, printed documents), on
    the order's timeline with ``message``; it leaves the order's status
    alone. Its delivery estimate allows a day to pack, then the carrier's
    usual time."""
    shipment = Shipment.objects.create(
        order=order,
        reason=reason,
        note=note,
        estimated_delivery=timezone.localdate()
        + datetime.timedelta(days=settings.SHOP_DELIVERY_DAYS + 1),
    )
    OrderEvent.objects.create(
        order=order,
        shipment=shipment,
        actor=actor,
        kind=OrderEvent.Kind.REPLACEMENT_CREATED,
        message=message[:255],
    )
    return shipment


@transaction.atomic
def create_replacement_shipment(
    *, order_line: OrderLine, quantity: int, actor: User | None, note: str = ""
) -> Shipment:
    """Send ``quantity`` more of an order line, free, on top of the order.

    Takes the units from stock under a row lock; raises ``OutOfStock`` when
    there aren't enough (so a person can decide instead).
    """
    order = _lock_order(order_line.order, new_parcel=True)
    if not 1 <= quantity <= order_line.quantity:
        raise FulfilmentError(_("That's more than the order had."))
    product = Product.objects.get(pk=order_line.product_id)
    if not take_stock(product=product, quantity=quantity):
        raise OutOfStock(
            _("%(product)s is out of stock, so it can't be sent again right now.")
            % {"product": product.display_name}
        )
    shipment = _extra_shipment(
        order=order,
        reason=Shipment.Reason.REPLACEMENT,
        note=note,
        actor=actor,
        message=f"{quantity} × {order_line.name}: {note}",
    )
    ShipmentLine.objects.create(
        shipment=shipment, order_line=order_line, quantity=quantity
    )
    return shipment


@transaction.atomic
def create_documents_shipment(
    *, order_line: OrderLine, actor: User | None, note: str
) -> Shipment:
    """A parcel of printed papers (manual, warranty card) for an order line."""
    order = _lock_order(order_line.order, new_parcel=True)
    return _extra_shipment(
        order=order,
        reason=Shipment.Reason.DOCUMENTS,
        note=note[:255],
        actor=actor,
        message=note,
    )
