"""The shop's emails to customers. Rendered from templates, plain text."""

from core.emails import send_templated
from shop.models import Order, Shipment


def send_order_confirmation(order: Order) -> None:
    send_templated(
        template="shop/email/order_placed",
        # Not called yet: the template calls it, in the buyer's language.
        context={"order": order, "destination": order.buyer_destination},
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
        },
        to=order.email,
        recipient=order.buyer,
    )
