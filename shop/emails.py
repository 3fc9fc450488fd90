"""The shop's emails to customers. Rendered from templates, plain text."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from shop.models import Order, Shipment, User


def send_templated(
    *, template: str, context: dict, to: str, recipient: User | None = None
) -> None:
    """Send ``<template>_subject.txt`` and ``<template>.txt`` (paths under
    ``templates/``, e.g. "gifts/email/thank_you") as a plain-text email.

    Written in ``recipient``'s language (words, dates and prices): emails
    mostly leave from a worker, where no request says which language to use.
    """
    language = (recipient and recipient.language) or translation.get_language()
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])


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
