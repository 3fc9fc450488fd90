"""Celery tasks: thin, safe to run twice, queued only after commit."""

from smtplib import SMTPException

from celery import shared_task


@shared_task(acks_late=True)
def build_export(*, request_id: int) -> None:
    """Build a customer's data export (``privacy.services.build_export``)."""
    from privacy.services import build_export as build

    build(request_id=request_id)


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=6,
)
def email_export_ready(*, request_id: int) -> None:
    from privacy.services import email_export_ready as send

    send(request_id=request_id)
