"""An agent's "Connect me": they take the longest waiter, their own phone
rings, and on answer the two are put through to each other and no one else."""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from callbacks.dialers import get_dialer
from callbacks.exceptions import ProviderError
from callbacks.models import MISSED_PICKUP, CallbackRequest
from callbacks.selectors import untaken_condition
from callbacks.services.transitions import note, offer_to_agents, public_url
from callbacks.signals import (
    announce_after_commit,
    callback_claimed,
    callback_missed,
    callback_released,
)
from core.logs import bind

logger = logging.getLogger(__name__)
State = CallbackRequest.State


def claim_waiting_call(
    *, queue: str, agent, agent_number, submission_key: str, subject_prefix: str = ""
) -> CallbackRequest | None:
    """ "Connect me": take the longest waiter nobody has taken, and ring the
    agent's phone to be put through to that caller (and no other).

    Guarantees:
    - One caller per agent click: the waiter is locked with ``skip_locked``,
      so agents clicking together take different callers, or the later one
      gets None ("nobody is waiting"); never the same caller.
    - A double submit (same ``submission_key``) claims once and rings once:
      one agent's claims are serialised on their user row, so the twin
      finds the first claim and returns it without ringing again (the
      unique index on (agent, key) backs this).
    - A caller who hung up is not claimable: their status webhook has moved
      the row out of ``in_progress``.
    - The claim is committed and announced (``callback_claimed``) before the
      provider is asked to ring the agent; if the provider refuses, the
      claim is released and ``ProviderError`` raised.
    """
    now = timezone.now()
    with transaction.atomic():
        list(
            get_user_model()
            .objects.select_for_update()
            .filter(pk=agent.pk)
            .values_list("pk", flat=True)
        )
        earlier = CallbackRequest.objects.filter(
            claimed_by=agent, claim_key=submission_key
        ).first()
        if earlier is not None:
            return earlier
        callback = (
            CallbackRequest.objects.filter(
                untaken_condition(queue=queue, subject_prefix=subject_prefix)
            )
            .order_by("enqueued_at", "pk")
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        if callback is None:
            return None
        callback.claimed_by = agent
        callback.claimed_at = now
        callback.claim_key = submission_key
        callback.agent_call_sid = ""
        offer_to_agents(callback=callback)
        callback.save(
            update_fields=[
                "claimed_by", "claimed_at", "claim_key", "agent_call_sid",
                "pickup_due_at", "updated_at",
            ]
        )  # fmt: skip
        note(callback=callback, detail=f"taken by agent {agent.pk}")
        announce_after_commit(
            callback_claimed, sender=CallbackRequest, callback=callback, agent=agent
        )
    try:
        with bind(**callback.log_fields()):
            sid = get_dialer().call_agent(
                to=agent_number.as_e164,
                connect_url=public_url("callbacks:agent", reference=callback.reference),
                status_url=public_url(
                    "callbacks:agent_status", reference=callback.reference
                ),
            )
    except ProviderError as error:
        release_claim(reference=callback.reference, reason=f"provider: {error}")
        raise
    CallbackRequest.objects.filter(pk=callback.pk, agent_call_sid="").update(
        agent_call_sid=sid, updated_at=timezone.now()
    )
    callback.agent_call_sid = sid
    return callback


def _let_go(callback: CallbackRequest, *also: str) -> None:
    """Drop the agent's claim on a locked waiting caller and offer them to
    every agent again (a new pick-up time); saves those fields and ``also``."""
    callback.claimed_by = None
    callback.claimed_at = None
    callback.claim_key = ""
    callback.agent_call_sid = ""
    offer_to_agents(callback=callback)
    callback.save(
        update_fields=[
            "claimed_by", "claimed_at", "claim_key", "agent_call_sid",
            "pickup_due_at", "updated_at", *also,
        ]
    )  # fmt: skip


@transaction.atomic
def release_claim(
    *, reference: str, reason: str, agent_call_sid: str = ""
) -> CallbackRequest | None:
    """The agent's phone wasn't answered (or couldn't be rung): the caller,
    still waiting, can be taken by anyone again. Nothing once put through,
    and nothing for an agent call other than the current one."""
    callback = (
        CallbackRequest.objects.select_for_update().filter(reference=reference).first()
    )
    if callback is None or callback.claimed_by_id is None or callback.bridged_at:
        return callback
    if agent_call_sid and agent_call_sid != callback.agent_call_sid:
        return callback
    agent = callback.claimed_by
    _let_go(callback)
    note(callback=callback, detail=f"released by agent {agent.pk}: {reason}")
    announce_after_commit(
        callback_released,
        sender=CallbackRequest,
        callback=callback,
        agent=agent,
        reason=reason,
    )
    return callback


def bridge_claimed_call(*, reference: str, agent_call_sid: str) -> bool:
    """The agent answered: move their caller out of the queue into a room of
    their own, which the agent joins. True if the caller is (or already
    was) on their way there; False if they are gone, or back in the queue.

    Twilio's ``<Dial><Queue>`` bridges whoever is first when the agent
    answers, so we never use it: the caller's live call is redirected (a
    call update with a new TwiML URL, which takes it out of ``<Enqueue>``)
    to ``join``, a ``<Conference>`` named by the reference, and the agent's
    TwiML joins the same conference. Safe to repeat (Twilio retries
    webhooks): only the first redirects.

    The row is marked put through under its lock *before* the provider is
    asked, so a missed pick-up at the same moment (``requeue_unpicked``)
    either finds it put through and leaves it, or has handed the caller
    back first and this finds no claim: never both. If the provider then
    refuses, the mark is taken back and the caller's pick-up time stands.
    """
    with transaction.atomic():
        callback = (
            CallbackRequest.objects.select_for_update()
            .filter(reference=reference)
            .first()
        )
        if (
            callback is None
            or callback.claimed_by_id is None
            or callback.agent_call_sid != agent_call_sid
        ):
            return False
        if callback.bridged_at is not None:
            return True
        if callback.state != State.IN_PROGRESS or not callback.call_sid:
            return False
        bridged_at = timezone.now()
        callback.bridged_at = bridged_at
        callback.save(update_fields=["bridged_at", "updated_at"])
        note(callback=callback, detail=f"put through to agent {callback.claimed_by_id}")
    try:
        with bind(**callback.log_fields()):
            get_dialer().redirect_call(
                call_sid=callback.call_sid,
                url=public_url("callbacks:join", reference=callback.reference),
            )
    except ProviderError as error:
        with bind(**callback.log_fields()):
            logger.warning("Could not put %s through: %s", reference, error)
        with transaction.atomic():
            undone = CallbackRequest.objects.filter(
                pk=callback.pk, bridged_at=bridged_at
            ).update(bridged_at=None, updated_at=timezone.now())
            if undone:
                note(callback=callback, detail=f"could not put through: {error}")
        return False
    return True


def requeue_unpicked(*, callback_id: int) -> CallbackRequest | None:
    """A waiting caller past their pick-up time and not put through (nobody
    took them, or the agent who did hasn't answered): a missed pick-up.
    Returns the row if it was one, else None.

    Guarantees:
    - Under the row's lock, and only once the pick-up time has passed for a
      caller still waiting and not put through: a repeat, a check that came
      early, or one racing the agent's answer (``bridge_claimed_call``
      marks under the same lock) does nothing.
    - The agent's claim is let go; the caller keeps the time they started
      to wait, so they are first in line again, ahead of later callers.
      The count goes up, a new pick-up time is set (its check queued), the
      history says ``missed pick-up`` and ``callback_missed`` is announced,
      all committed together.
    - Then the caller's live call is redirected to ``requeue``, which tells
      them where they are in line and queues them again; if the provider
      refuses (they just hung up), that is logged: their status ends it.
    """
    with transaction.atomic():
        callback = (
            CallbackRequest.objects.select_for_update(of=("self",))
            .filter(pk=callback_id)
            .select_related("claimed_by")
            .first()
        )
        if (
            callback is None
            or callback.state != State.IN_PROGRESS
            or callback.enqueued_at is None
            or callback.bridged_at is not None
            or callback.pickup_due_at is None
            or callback.pickup_due_at > timezone.now()
        ):
            return None
        agent = callback.claimed_by
        callback.missed_pickups += 1
        _let_go(callback, "missed_pickups")
        who = f"agent {agent.pk} didn't answer" if agent else "no agent took the call"
        note(callback=callback, detail=f"{MISSED_PICKUP}: {who}")
        announce_after_commit(
            callback_missed, sender=CallbackRequest, callback=callback, agent=agent
        )
    with bind(**callback.log_fields()):
        try:
            get_dialer().redirect_call(
                call_sid=callback.call_sid,
                url=public_url("callbacks:requeue", reference=callback.reference),
            )
        except ProviderError as error:
            logger.warning(
                "Could not tell %s they are first in line: %s", callback, error
            )
    return callback


def record_agent_status(*, reference: str, agent_call_sid: str, status: str) -> None:
    """The agent's leg ended before they were put through: release."""
    if status in ("busy", "no-answer", "failed", "canceled"):
        release_claim(
            reference=reference,
            reason=f"agent's phone: {status}",
            agent_call_sid=agent_call_sid,
        )
