"""Celery tasks for privacy requests: thin, safe to run twice."""

import logging

from celery import shared_task

from privacy import closure

logger = logging.getLogger(__name__)

# Closing an account


@shared_task(acks_late=True)
def finish_pending_closures() -> None:
    """The sweep: every closure left pending (a crash, a lost task) is run
    again from its first step not done; one that fails again waits for the
    next sweep."""
    for request_id in closure.pending_closures():
        try:
            closure.run_closure(request_id=request_id)
        except Exception:
            logger.exception("Closure %s could not finish yet", request_id)
