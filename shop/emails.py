"""The shop's emails to customers. Rendered from templates, plain text."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from shop.models import Order, Shipment


def _send(*, template: str, context: dict, to: str) -> None:
    context = {**context, "site_url": settings.SITE_URL}
    subject = render_to_string(f"shop/email/{template}_subject.txt", context)
    body = render_to_string(f"shop/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])


def send_order_confirmation(order: Order) -> None:
    _send(
        template="order_placed",
        context={"order": order, "destination": order.buyer_destination()},
        to=order.email,
    )


def send_shipment_notification(shipment: Shipment) -> None:
    order = shipment.order
    _send(
        template="shipment_shipped",
        context={
            "order": order,
            "shipment": shipment,
            "destination": order.buyer_destination(),
        },
        to=order.email,
    )
