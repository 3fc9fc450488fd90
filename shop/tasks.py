"""Celery tasks: thin, safe to run twice, queued only after commit."""

from smtplib import SMTPException

from celery import shared_task

from shop import confirmations, emails
from shop.models import Shipment

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
