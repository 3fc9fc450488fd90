"""An agent's "Connect me": they take the longest waiter, their own phone
rings, and on answer the two are put through to each other and no one else."""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from callbacks.dialers import get_dialer
from callbacks.exceptions import ProviderError
from callbacks.models import CallbackRequest
from callbacks.selectors import untaken_condition
from callbacks.services.transitions import note, public_url
from callbacks.signals import (
    announce_after_commit,
    callback_claimed,
    callback_released,
)

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
        callback.save(
            update_fields=[
                "claimed_by", "claimed_at", "claim_key", "agent_call_sid",
                "updated_at",
            ]
        )  # fmt: skip
        note(callback=callback, detail=f"taken by agent {agent.pk}")
        announce_after_commit(
            callback_claimed, sender=CallbackRequest, callback=callback, agent=agent
        )
    try:
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
    callback.claimed_by = None
    callback.claimed_at = None
    callback.claim_key = ""
    callback.agent_call_sid = ""
    callback.save(
        update_fields=[
            "claimed_by", "claimed_at", "claim_key", "agent_call_sid", "updated_at",
        ]
    )  # fmt: skip
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
    was) on their way there; False if they are gone.

    Twilio's ``<Dial><Queue>`` bridges whoever is first when the agent
    answers, so we never use it: the caller's live call is redirected (a
    call update with a new TwiML URL, which takes it out of ``<Enqueue>``)
    to ``join``, a ``<Conference>`` named by the reference, and the agent's
    TwiML joins the same conference. Safe to repeat (Twilio retries
    webhooks): only the first redirects.
    """
    callback = CallbackRequest.objects.filter(reference=reference).first()
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
    try:
        get_dialer().redirect_call(
            call_sid=callback.call_sid,
            url=public_url("callbacks:join", reference=callback.reference),
        )
    except ProviderError as error:
        logger.warning("Could not put %s through: %s", reference, error)
        return False
    with transaction.atomic():
        callback = CallbackRequest.objects.select_for_update().get(pk=callback.pk)
        if callback.bridged_at is None:
            callback.bridged_at = timezone.now()
            callback.save(update_fields=["bridged_at", "updated_at"])
            note(
                callback=callback,
                detail=f"put through to agent {callback.claimed_by_id}",
            )
    return True


def record_agent_status(*, reference: str, agent_call_sid: str, status: str) -> None:
    """The agent's leg ended before they were put through: release."""
    if status in ("busy", "no-answer", "failed", "canceled"):
        release_claim(
            reference=reference,
            reason=f"agent's phone: {status}",
            agent_call_sid=agent_call_sid,
        )
