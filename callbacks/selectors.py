"""Reads that other code shares: who waits on the phone, which alarms are
live, and which rows the sweeper must wake."""

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from callbacks.models import CallAlarm, CallbackRequest

State = CallbackRequest.State
# The most lost wake-ups one sweep re-sends; the next sweep takes the rest.
SWEEP_BATCH = 500


def waiting_condition(*, queue: str, subject_prefix: str = "") -> Q:
    """The rule of who waits in ``queue``: callers who heard the greeting and
    wait for an agent, none already put through (taken or not)."""
    return Q(
        queue=queue,
        state=State.IN_PROGRESS,
        enqueued_at__isnull=False,
        bridged_at__isnull=True,
        subject__startswith=subject_prefix,
    )


def untaken_condition(*, queue: str, subject_prefix: str = "") -> Q:
    """Waiting callers no agent has taken yet: the ones "Connect me" takes."""
    return waiting_condition(queue=queue, subject_prefix=subject_prefix) & Q(
        claimed_by__isnull=True
    )


def due_condition(*, queue: str, subject_prefix: str = "", before) -> Q:
    """Calls in ``queue`` booked and not yet placed, due before ``before``
    (those already due included)."""
    return Q(
        queue=queue,
        state=State.SCHEDULED,
        due_at__lt=before,
        subject__startswith=subject_prefix,
    )


def waiting_in_queue(
    *, queue: str, subject_prefix: str = ""
) -> QuerySet[CallbackRequest]:
    """Callers who wait for an agent (``waiting_condition``), longest first,
    with the agent who took each one (if any)."""
    return (
        CallbackRequest.objects.filter(
            waiting_condition(queue=queue, subject_prefix=subject_prefix)
        )
        .select_related("claimed_by")
        .order_by("enqueued_at", "pk")
    )


def active_alarms() -> QuerySet[CallAlarm]:
    """Alarms whose cap refused a request within the last hour: the banner."""
    return CallAlarm.objects.filter(
        is_open=True, last_refused_at__gte=timezone.now() - CallAlarm.QUIET
    )


def due_callback_ids(*, now: datetime.datetime) -> list[int]:
    """Scheduled rows already due, oldest first (at most ``SWEEP_BATCH``):
    each should have a dial task on its way, unless its wake-up was lost."""
    return list(
        CallbackRequest.objects.filter(state=State.SCHEDULED, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def stuck_dial_ids(*, now: datetime.datetime) -> list[int]:
    """Rows left in ``dialing`` without a call id for longer than
    ``CALLBACKS_STUCK_AFTER``: the worker died around the provider call."""
    return list(
        CallbackRequest.objects.filter(
            state=State.DIALING,
            call_sid="",
            dialing_started_at__lt=now
            - datetime.timedelta(seconds=settings.CALLBACKS_STUCK_AFTER),
        ).values_list("pk", flat=True)
    )


def pickup_overdue_ids(*, now: datetime.datetime) -> list[int]:
    """Waiting callers past their pick-up time (at most ``SWEEP_BATCH``):
    each should have a check on its way, unless it was lost."""
    return list(
        CallbackRequest.objects.filter(
            state=State.IN_PROGRESS,
            enqueued_at__isnull=False,
            bridged_at__isnull=True,
            pickup_due_at__lte=now,
        )
        .order_by("pickup_due_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def log_fields_by_id(*, ids: list[int]) -> dict[int, dict]:
    """``CallbackRequest.log_fields()`` of each row in ``ids``, in one query:
    for code that holds ids, not rows (the sweeper)."""
    rows = CallbackRequest.objects.filter(pk__in=ids).only(
        "pk", "reference", "log_context"
    )
    return {row.pk: row.log_fields() for row in rows}
