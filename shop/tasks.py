"""Celery tasks: thin, safe to run twice, queued only after commit."""

import urllib.error
import urllib.request
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

from shop import confirmations, emails
from shop.models import Shipment
from shop.payments import ProviderUnavailable, TestPaymentProvider, test_provider

# Every email task retries on mail server trouble with this policy.
EMAIL_RETRY = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": True,
    "max_retries": 6,
}


@shared_task(acks_late=True, **EMAIL_RETRY)
def send_order_confirmations() -> None:
    """Every confirmation not sent yet (``shop.confirmations``)."""
    confirmations.send_pending()


@shared_task(acks_late=True, **EMAIL_RETRY)
def send_shipment_notification(*, shipment_id: int) -> None:
    shipment = (
        Shipment.objects.select_related("order__buyer")
        .prefetch_related("lines__order_line")
        .get(pk=shipment_id)
    )
    emails.send_shipment_notification(shipment)


@shared_task(
    acks_late=True,
    autoretry_for=(ProviderUnavailable,),
    retry_backoff=True,
    max_retries=10,
)
def refund_late_payment(*, payment_id: int) -> None:
    """Refund a payment that came for an order no longer waiting for it."""
    from shop.services.payments import refund_late_payment as refund

    refund(payment_id=payment_id)


@shared_task(acks_late=True)
def settle_stale_payments() -> None:
    """Place or cancel the orders that waited too long for their payment."""
    from shop.services.payments import settle_stale_payments as settle

    settle()


@shared_task(acks_late=True)
def expire_test_provider_sessions() -> None:
    """The test provider closes its unpaid pages on time, as Stripe does."""
    TestPaymentProvider().expire_due()


class EndpointRefused(Exception):
    """The webhook endpoint did not answer 2xx: deliver again later."""


@shared_task(
    acks_late=True,
    autoretry_for=(EndpointRefused, OSError),
    retry_backoff=True,
    retry_backoff_max=3600,
    max_retries=16,
)
def deliver_test_provider_event(*, payload: str) -> None:
    """Post one of the test provider's events to the shop's webhook
    endpoint, signed at each attempt as Stripe signs them, until it
    answers 2xx (Stripe retries for three days; this for about as long as
    sixteen growing waits take)."""
    url = settings.SHOP_TEST_PROVIDER_WEBHOOK_URL
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"SHOP_TEST_PROVIDER_WEBHOOK_URL is not a web address: {url}")
    request = urllib.request.Request(  # noqa: S310 (http or https, checked above)
        url,
        data=payload.encode(),
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": test_provider.sign(payload),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as error:
        raise EndpointRefused(f"{error.code} from the webhook endpoint") from None
