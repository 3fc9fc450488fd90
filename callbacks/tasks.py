"""Celery tasks: thin wrappers, safe to run twice (the row decides)."""

from celery import shared_task

from callbacks import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def dial_callback(*, callback_id: int) -> None:
    services.dial(callback_id=callback_id)


@shared_task(acks_late=True)
def reconcile_callback(*, callback_id: int) -> None:
    services.reconcile(callback_id=callback_id)


@shared_task(acks_late=True)
def sweep_callbacks() -> int:
    return services.sweep()


@shared_task(acks_late=True)
def play_console_status(*, reference: str, call_sid: str, status: str) -> None:
    """The console dialer's pretend status callbacks (run mode only)."""
    if status == "in-progress":
        services.mark_enqueued(reference=reference)
    services.record_status(reference=reference, call_sid=call_sid, status=status)


@shared_task(acks_late=True)
def send_call_alarm(*, alarm_id: int) -> None:
    services.email_call_alarm(alarm_id=alarm_id)
