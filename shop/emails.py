"""The shop's emails to customers: text and HTML, rendered from templates."""

from core.emails import send_templated
from shop.images import with_first_image
from shop.models import Order, Shipment


def send_order_confirmation(order: Order) -> None:
    send_templated(
        template="shop/email/order_placed",
        context={
            "order": order,
            # Not called yet: the template calls it, in the buyer's language.
            "destination": order.buyer_destination,
            # With their products and first photos, for the thumbnails: two
            # queries, not two a line.
            "lines": order.lines.select_related("product").prefetch_related(
                with_first_image("product__images")
            ),
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
