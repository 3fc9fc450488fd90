"""Celery tasks: thin, safe to run twice, queued only after commit."""

import logging
from smtplib import SMTPException

from celery import shared_task

logger = logging.getLogger(__name__)


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


# --- Closing an account ------------------------------------------------------


@shared_task(acks_late=True)
def finish_pending_closures() -> None:
    """The sweep: every closure left pending (a crash, a lost task) is run
    again from its first step not done; one that fails again waits for the
    next sweep."""
    from privacy import closure

    for request_id in closure.pending_closures():
        try:
            closure.run_closure(request_id=request_id)
        except Exception:
            logger.exception("Closure %s could not finish yet", request_id)
