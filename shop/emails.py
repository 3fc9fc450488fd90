"""The shop's emails to customers. Rendered from templates, plain text."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from shop.models import Order, Shipment


def send_templated(*, template: str, context: dict, to: str) -> None:
    """Send ``<template>_subject.txt`` and ``<template>.txt`` (paths under
    ``templates/``, e.g. "gifts/email/thank_you") as a plain-text email."""
    context = {**context, "site_url": settings.SITE_URL}
    subject = render_to_string(f"{template}_subject.txt", context)
    body = render_to_string(f"{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])


def send_order_confirmation(order: Order) -> None:
    send_templated(
        template="shop/email/order_placed",
        context={"order": order, "destination": order.buyer_destination()},
        to=order.email,
    )


def send_shipment_notification(shipment: Shipment) -> None:
    order = shipment.order
    send_templated(
        template="shop/email/shipment_shipped",
        context={
            "order": order,
            "shipment": shipment,
            "destination": order.buyer_destination(),
        },
        to=order.email,
    )
