"""What the provider tells us about a customer's call: its status as it
rings, is answered and ends, and the moment the caller starts to wait."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from callbacks.models import CallbackRequest
from callbacks.services.transitions import move, offer_to_agents, queue_dial

State = CallbackRequest.State

# Where a provider status puts the row; later states never go back.
PROVIDER_STATES = {
    "queued": State.DIALING,
    "initiated": State.DIALING,
    "ringing": State.RINGING,
    "in-progress": State.IN_PROGRESS,
    "answered": State.IN_PROGRESS,
    "completed": State.COMPLETED,
    "busy": State.BUSY,
    "no-answer": State.NO_ANSWER,
    "failed": State.FAILED,
    "canceled": State.NO_ANSWER,
}
RANK = {
    State.SCHEDULED: 0,
    State.DIALING: 1,
    State.RINGING: 2,
    State.IN_PROGRESS: 3,
    State.COMPLETED: 4,
    State.NO_ANSWER: 4,
    State.BUSY: 4,
    State.FAILED: 4,
    State.CANCELLED: 4,
}


@transaction.atomic
def record_status(
    *, reference: str, call_sid: str, status: str, answered_by: str = ""
) -> CallbackRequest | None:
    """Apply a provider status callback.

    Guarantees: under the row's lock; idempotent and order-proof: a status
    never moves a call backwards, a repeat changes nothing, and a status for
    an earlier attempt's call is ignored. No answer, busy or a voicemail
    schedules the next attempt (its dial task queued after commit) until
    ``CALLBACKS_MAX_ATTEMPTS``, then fails the call.
    """
    callback = (
        CallbackRequest.objects.select_for_update().filter(reference=reference).first()
    )
    if callback is None:
        return None
    if callback.call_sid and call_sid != callback.call_sid:
        return callback  # an earlier attempt's call
    if not callback.call_sid:
        if callback.state not in (State.DIALING, State.RINGING, State.IN_PROGRESS):
            return callback
        if callback.events.filter(detail__contains=call_sid).exists():
            return callback  # an earlier attempt's call, reported late
        callback.call_sid = call_sid
        callback.save(update_fields=["call_sid", "updated_at"])
    target = PROVIDER_STATES.get(status)
    if target is None or RANK[target] <= RANK[callback.state]:
        return callback
    if answered_by:
        callback.answered_by = _answered_by(value=answered_by)
    if (
        target == State.COMPLETED
        and callback.answered_by == CallbackRequest.AnsweredBy.MACHINE
    ):
        target = State.NO_ANSWER  # a voicemail didn't speak to anyone
    if target in (State.NO_ANSWER, State.BUSY):
        _retry_or_fail(callback=callback, outcome=target)
        return callback
    fields = {}
    if target in CallbackRequest.FINAL:
        fields["ended_at"] = timezone.now()
    move(callback=callback, to=target, detail=status, **fields)
    return callback


def _answered_by(*, value: str) -> str:
    """Twilio's AnsweredBy (human, machine_start, fax, unknown…) in our terms."""
    if value == "human":
        return CallbackRequest.AnsweredBy.HUMAN
    if value.startswith("machine") or value == "fax":
        return CallbackRequest.AnsweredBy.MACHINE
    return CallbackRequest.AnsweredBy.UNKNOWN


def _retry_or_fail(*, callback: CallbackRequest, outcome: str) -> None:
    if callback.attempts < settings.CALLBACKS_MAX_ATTEMPTS:
        due_at = timezone.now() + datetime.timedelta(
            seconds=settings.CALLBACKS_RETRY_DELAY
        )
        move(
            callback=callback,
            to=State.SCHEDULED,
            # The call id stays on record, so a late status of this call is
            # never taken for the next attempt's.
            detail=(
                f"{outcome} ({callback.call_sid}); next try at {due_at.isoformat()}"
            ),
            due_at=due_at,
            call_sid="",
        )
        queue_dial(callback=callback)
    else:
        move(
            callback=callback,
            to=State.FAILED,
            detail=f"{outcome} after {callback.attempts} attempts",
            ended_at=timezone.now(),
        )


@transaction.atomic
def mark_enqueued(*, reference: str) -> CallbackRequest | None:
    """The customer answered and heard the greeting: they wait in the queue.

    Guarantees: under the row's lock; the first time is kept, a repeat
    changes nothing. From then an agent has ``CALLBACKS_PICKUP_TIMEOUT`` to
    be put through to them (``offer_to_agents``)."""
    callback = (
        CallbackRequest.objects.select_for_update().filter(reference=reference).first()
    )
    if callback is not None and callback.enqueued_at is None:
        callback.enqueued_at = timezone.now()
        offer_to_agents(callback=callback)
        callback.save(update_fields=["enqueued_at", "pickup_due_at", "updated_at"])
    return callback
