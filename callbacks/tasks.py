"""Celery tasks: thin entry points that take ids, call a service and own
their retries; safe to run twice (the row decides).

Services queue these tasks, so they import this module at the top; the
tasks import services inside their bodies only, so loading either never
needs the other (``lint-imports`` checks the rest of the order).
"""

import logging

from celery import shared_task
from django.utils import timezone

from callbacks import selectors
from core.logs import bind

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def dial_callback(self, *, callback_id: int) -> None:
    """Dial the row if it is due. When the call budget is spent, or the
    provider asked us to back off, the task comes back by itself after the
    wait ``dial`` returned; the row stays scheduled meanwhile, so a retry the
    broker loses is picked up by the sweeper."""
    from callbacks import services

    # The call's case and order ids join where its row is loaded.
    with bind(callback_id=callback_id):
        wait = services.dial(callback_id=callback_id)
    if wait is not None:
        raise self.retry(countdown=wait.total_seconds(), retry=False)


@shared_task(acks_late=True)
def reconcile_callback(*, callback_id: int) -> None:
    from callbacks import services

    with bind(callback_id=callback_id):
        services.reconcile(callback_id=callback_id)


@shared_task(acks_late=True)
def sweep_callbacks() -> int:
    """Beat's periodic sweep: wake every due row whose wake-up was lost,
    reconcile dials stuck without a call id, and check waiting callers past
    their pick-up time whose check was lost; returns how many rows it woke.

    Safe to run anywhere, any time, and twice: dialling claims rows under a
    lock, and a woken row that is no longer due is left alone.
    """
    now = timezone.now()
    due = selectors.due_callback_ids(now=now)
    stuck = selectors.stuck_dial_ids(now=now)
    overdue = selectors.pickup_overdue_ids(now=now)
    # Each row woken gets a log line with its ids (one query, only when
    # there are rows): a lost wake-up is worth knowing about.
    fields = (
        selectors.log_fields_by_id(ids=[*due, *stuck, *overdue])
        if (due or stuck or overdue)
        else {}
    )
    for task, ids, level, line in (
        (dial_callback, due, logging.INFO, "Sweeper: waking due callback %s"),
        (
            reconcile_callback,
            stuck,
            logging.WARNING,
            "Sweeper: reconciling a dial stuck without a call id %s",
        ),
        (check_pickup, overdue, logging.INFO, "Sweeper: checking pick-up %s"),
    ):
        for callback_id in ids:
            with bind(**fields.get(callback_id, {"callback_id": callback_id})):
                logger.log(level, line, callback_id)
                task.delay(callback_id=callback_id)
    return len(due)


@shared_task(acks_late=True)
def check_pickup(*, callback_id: int) -> None:
    """A waiting caller's pick-up time has come: if no agent put them
    through, it is a missed pick-up (``services.requeue_unpicked``)."""
    from callbacks import services

    with bind(callback_id=callback_id):
        services.requeue_unpicked(callback_id=callback_id)


@shared_task(acks_late=True)
def play_console_status(*, reference: str, call_sid: str, status: str) -> None:
    """The console dialer's pretend status callbacks (run mode only)."""
    from callbacks import services

    if status == "in-progress":
        services.mark_enqueued(reference=reference)
    services.record_status(reference=reference, call_sid=call_sid, status=status)


@shared_task(acks_late=True)
def play_console_agent(*, reference: str, agent_call_sid: str) -> None:
    """The console dialer's pretend agent answers "Connect me" (run mode)."""
    from callbacks import services

    services.bridge_claimed_call(reference=reference, agent_call_sid=agent_call_sid)


@shared_task(acks_late=True)
def send_call_alarm(*, alarm_id: int) -> None:
    from callbacks import services

    services.email_call_alarm(alarm_id=alarm_id)
