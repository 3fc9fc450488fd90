"""Celery tasks for support: thin, queued after commit."""

from celery import shared_task

from shop.tasks import EMAIL_RETRY
from support import emails
from support.models import CaseEvent


def _event(event_id: int) -> CaseEvent:
    return CaseEvent.objects.select_related(
        "case__customer", "case__assigned_to", "case__order_line__product"
    ).get(pk=event_id)


@shared_task(acks_late=True, **EMAIL_RETRY)
def send_case_reply(*, event_id: int) -> None:
    emails.send_case_reply(_event(event_id))


@shared_task(acks_late=True, **EMAIL_RETRY)
def notify_agent(*, event_id: int) -> None:
    emails.notify_agent(_event(event_id))


@shared_task(acks_late=True, **EMAIL_RETRY)
def send_call_failed(*, event_id: int) -> None:
    emails.send_call_failed(_event(event_id))
