"""Placing calls: claim a due row, dial it within the account's call budget,
handle the provider's refusals, and reconcile a dial a worker died in.

Exactly one call per attempt: the row is locked, moved to ``dialing`` and
committed before the provider is asked; anything that finds the row no
longer ``scheduled`` (a duplicate task, a redelivered message, a second
click) does nothing. A row left in ``dialing`` without a call id is
reconciled against the provider before it may be dialled again.
"""

import datetime
import functools
import logging
import random

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.utils import timezone

from callbacks import metrics
from callbacks.dialers import get_dialer
from callbacks.exceptions import ProviderError
from callbacks.models import CallbackRequest
from callbacks.ratelimit import take_call_token
from callbacks.services.transitions import (
    announce,
    move,
    note,
    public_url,
    queue_dial,
)
from core import rows
from core.logs import bind

logger = logging.getLogger(__name__)
State = CallbackRequest.State


def dial(*, callback_id: int) -> datetime.timedelta | None:
    """Place a due call, exactly once per attempt, within the call budget.
    Returns how long to wait before trying this row again, or None when
    there is nothing more to do for it; the caller (the dial task) comes
    back after that wait.

    Guarantees:
    - A row that is not due (dialled, cancelled, or moved to later, whose
      own task is queued) is left alone: None.
    - A call starts only with a token from the account-wide budget (Redis);
      without one the row stays scheduled, never dropped, and the wait for
      the next token is returned.
    - Each token dials the oldest due row, so calls go out in due order
      whichever task holds the token; a task that dialled someone else's row
      goes on until its own has been dialled.
    - A retryable provider refusal puts the row back to scheduled after a
      backoff: for this row the backoff is returned; another row gets a
      dial task of its own queued for its new due time.
    """
    while True:
        if not _DUE.fetch(pk=callback_id, now=timezone.now()):
            return None  # dialled, cancelled, or a task for later is queued
        wait = take_call_token()
        if wait > 0:
            # A little jitter, so the tasks that waited together don't all
            # come back in the same millisecond.
            return datetime.timedelta(seconds=wait + random.uniform(0, 0.05))  # noqa: S311
        callback = _claim_oldest_due()
        if callback is None:
            return None  # another worker is claiming it right now
        retry = _place_call(callback=callback)
        if callback.pk == callback_id:
            if retry is None:
                return None
            return max(retry.due_at - timezone.now(), datetime.timedelta(0))
        if retry is not None:
            # Not this task's row: the tasks on their way for it found it
            # claimed and stopped, so it needs a wake-up of its own.
            queue_dial(callback=retry)


def _due(pk: int, now: datetime.datetime) -> QuerySet[CallbackRequest]:
    return CallbackRequest.objects.filter(pk=pk, state=State.SCHEDULED, due_at__lte=now)


# Built once per process: every dial task asks it first.
_DUE = rows.Statement(_due)


# The claim in one statement, so in one round trip and committed by itself:
# lock the oldest due row (skipping rows another worker holds), move it to
# dialing for one more attempt, and write that change on its history.
CLAIM_OLDEST_DUE = """
WITH claimed AS (
    UPDATE callbacks_callbackrequest SET state = %(dialing)s, attempts = attempts + 1,
        dialing_started_at = %(now)s, call_sid = '', answered_by = '',
        updated_at = %(now)s
    WHERE id = (
        SELECT id FROM callbacks_callbackrequest
        WHERE state = %(scheduled)s AND due_at <= %(now)s
        ORDER BY due_at, id
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    )
    RETURNING {columns}
), history AS (
    INSERT INTO callbacks_callbackevent
        (callback_id, from_state, to_state, detail, created_at)
    SELECT id, %(scheduled)s, %(dialing)s, 'attempt ' || attempts, %(now)s
    FROM claimed
)
SELECT {columns} FROM claimed
"""


@functools.cache
def _claim_oldest_due_statement() -> str:
    """``CLAIM_OLDEST_DUE`` with the row's columns named (``rows.columns``)."""
    return CLAIM_OLDEST_DUE.replace("{columns}", rows.columns(CallbackRequest))


def _claim_oldest_due() -> CallbackRequest | None:
    """Claim the oldest due row for one dial attempt, committed before any
    call. Rows another worker is claiming are skipped, not waited for.

    On PostgreSQL, one statement (``CLAIM_OLDEST_DUE``) instead of a locked
    read, the row saved whole and its history line: the same lock, the same
    change, the same line, committed together, in one round trip. A
    database that cannot write in a ``WITH`` (run mode's SQLite) takes the
    locked read (``_claim_by_locked_read``). Either way the change is
    announced as ``move`` announces it.
    """
    alias = router.db_for_write(CallbackRequest)
    if connections[alias].vendor != "postgresql":
        return _claim_by_locked_read(alias)
    claimed = rows.fetch(
        CallbackRequest,
        _claim_oldest_due_statement(),
        {
            "dialing": State.DIALING,
            "scheduled": State.SCHEDULED,
            "now": timezone.now(),
        },
        using=alias,
    )
    if not claimed:
        return None
    callback = claimed[0]
    announce(
        callback=callback,
        old=State.SCHEDULED,
        to=State.DIALING,
        detail=f"attempt {callback.attempts}",
    )
    return callback


def _claim_by_locked_read(alias: str) -> CallbackRequest | None:
    """``_claim_oldest_due`` in three statements, for a database without
    ``CLAIM_OLDEST_DUE``'s writing ``WITH``: the oldest due row locked
    (skipping locked ones where rows can be locked), moved to dialing for
    one more attempt, and its history line, committed together."""
    with transaction.atomic(using=alias):
        callback = (
            CallbackRequest.objects.using(alias)
            .select_for_update(skip_locked=True)
            .filter(state=State.SCHEDULED, due_at__lte=timezone.now())
            .order_by("due_at", "pk")
            .first()
        )
        if callback is None:
            return None
        move(
            callback=callback,
            to=State.DIALING,
            detail=f"attempt {callback.attempts + 1}",
            attempts=callback.attempts + 1,
            dialing_started_at=timezone.now(),
            call_sid="",
            answered_by="",
        )
    return callback


def _place_call(*, callback: CallbackRequest) -> CallbackRequest | None:
    """Ask the provider for the claimed row's call and record its id. If the
    provider refused for now, the row is back to scheduled (with its new
    due time) and returned; else None."""
    with bind(**callback.log_fields()):
        try:
            sid = get_dialer().place_call(
                to=callback.number.as_e164,
                reference=callback.reference,
                answer_url=public_url("callbacks:answer", reference=callback.reference),
                status_url=public_url("callbacks:status", reference=callback.reference),
            )
        except ProviderError as error:
            return _provider_failed(callback=callback, error=error)
        metrics.DIAL_LATENCY.labels(
            attempt="first" if callback.attempts == 1 else "retry"
        ).observe(max((timezone.now() - callback.due_at).total_seconds(), 0))
        logger.info("Placed call %s for %s", sid, callback.reference)
    _RECORD_CALL_SID.run(pk=callback.pk, sid=sid, now=timezone.now())
    return None


def _record_call_sid(pk: int, sid: str, now: datetime.datetime):
    # One statement: a status webhook may have recorded the id already.
    return (
        CallbackRequest.objects.filter(pk=pk, call_sid=""),
        {"call_sid": sid, "updated_at": now},
    )


# Built once per process: every call placed records its id.
_RECORD_CALL_SID = rows.Update(_record_call_sid)


def _backoff(*, attempt: int) -> datetime.timedelta:
    base = settings.CALLBACKS_PROVIDER_BACKOFF * 2 ** max(attempt - 1, 0)
    return datetime.timedelta(seconds=min(base, 300) * random.uniform(0.5, 1.0))  # noqa: S311


@transaction.atomic
def _provider_failed(
    *, callback: CallbackRequest, error: ProviderError
) -> CallbackRequest | None:
    """A retryable refusal within ``CALLBACKS_MAX_PROVIDER_TRIES`` puts the
    row back to scheduled after a backoff and returns it; anything else
    fails the call for good."""
    callback = CallbackRequest.objects.select_for_update().get(pk=callback.pk)
    if callback.state != State.DIALING:
        return None
    logger.warning("Provider refused %s: %s", callback.reference, error)
    if error.retryable and callback.attempts < settings.CALLBACKS_MAX_PROVIDER_TRIES:
        move(
            callback=callback,
            to=State.SCHEDULED,
            detail=f"provider busy, retry: {error}",
            due_at=timezone.now() + _backoff(attempt=callback.attempts),
        )
        return callback
    move(
        callback=callback,
        to=State.FAILED,
        detail=f"provider refused: {error}",
        last_error=str(error)[:255],
        ended_at=timezone.now(),
    )
    return None


def reconcile(*, callback_id: int) -> None:
    """A row stuck in ``dialing`` without a call id: the worker died around
    the provider call. Ask the provider before dialling again.

    Guarantees: the provider is asked outside any transaction, then the row
    is locked and checked again, so a status webhook that recorded the call
    meanwhile wins. A call the provider has is adopted (its id recorded, no
    new call); if it has none, the attempt is given back and the row is due
    at once, with its dial task queued after commit.
    """
    callback = CallbackRequest.objects.get(pk=callback_id)
    if callback.state != State.DIALING or callback.call_sid:
        return
    found = get_dialer().find_call(
        to=callback.number.as_e164,
        reference=callback.reference,
        since=callback.dialing_started_at - datetime.timedelta(seconds=5),
    )
    with transaction.atomic():
        callback = CallbackRequest.objects.select_for_update().get(pk=callback_id)
        if callback.state != State.DIALING or callback.call_sid:
            return
        if found is not None:
            callback.call_sid = found.sid
            callback.save(update_fields=["call_sid", "updated_at"])
            note(callback=callback, detail=f"reconciled with provider call {found.sid}")
            return
        # The provider never got it: dial this attempt again.
        move(
            callback=callback,
            to=State.SCHEDULED,
            detail="reconciled: no call was placed",
            due_at=timezone.now(),
            attempts=max(callback.attempts - 1, 0),
        )
        queue_dial(callback=callback)
