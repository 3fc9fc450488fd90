"""The shop's emails to customers: text and HTML, rendered from templates."""

from django.db.models import Prefetch, prefetch_related_objects

from core.emails import send_templated
from shop.images import with_first_image
from shop.models import Order, OrderLine, Shipment


def confirmation_lines() -> Prefetch:
    """What an order confirmation shows of its order's lines: each with its
    product and first photo, for the thumbnails. A send of many orders
    prefetches it with them (``confirmations.send_pending``): two queries a
    batch, not two an order."""
    return Prefetch(
        "lines",
        queryset=OrderLine.objects.select_related("product").prefetch_related(
            with_first_image("product__images")
        ),
    )


def send_order_confirmation(order: Order) -> None:
    # Read here only if the caller has not (two queries).
    prefetch_related_objects([order], confirmation_lines())
    send_templated(
        template="shop/email/order_placed",
        context={
            "order": order,
            # Not called yet: the template calls it, in the buyer's language.
            "destination": order.buyer_destination,
            "lines": order.lines.all(),
        },
        to=order.email,
        recipient=order.buyer,
    )


def send_shipment_notification(shipment: Shipment) -> None:
    order = shipment.order
    send_templated(
        template="shop/email/shipment_shipped",
        context={
            "order": order,
            "shipment": shipment,
            "destination": order.buyer_destination,
            "lines": shipment.lines.select_related(
                "order_line__product"
            ).prefetch_related(with_first_image("order_line__product__images")),
        },
        to=order.email,
        recipient=order.buyer,
    )
