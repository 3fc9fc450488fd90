"""The callback state machine. The row is the truth; Celery only wakes us.

Exactly one call per request: ``dial`` locks the row, moves it to
``dialing`` and commits before asking the provider; anything that finds the
row no longer ``scheduled`` (a duplicate task, a redelivered message, a
second click) does nothing. A row left in ``dialing`` without a call id is
reconciled against the provider before it may be dialled again.
"""

import datetime
import logging
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from phonenumbers import PhoneNumberType, number_type, region_code_for_number

from callbacks import hours
from callbacks.dialers import get_dialer
from callbacks.exceptions import (
    CallsPaused,
    NumberCalledTooOften,
    NumberKindNotAllowed,
    NumberNotAllowed,
    OutsideHours,
    ProviderError,
    TooLateToChange,
    TooManyCallbacks,
)
from callbacks.models import CallAlarm, CallbackEvent, CallbackRequest
from callbacks.ratelimit import take_call_token, take_request_slot
from callbacks.signals import (
    announce_after_commit,
    callback_changed,
    callback_claimed,
    callback_released,
)

logger = logging.getLogger(__name__)
State = CallbackRequest.State
# A trip of the shop's cap ends after an hour without a refusal.
ALARM_QUIET = datetime.timedelta(hours=1)

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


def _url(name: str, **kwargs) -> str:
    return settings.CALLBACKS_PUBLIC_BASE_URL + reverse(name, kwargs=kwargs)


def _move(callback: CallbackRequest, to: str, detail: str = "", **fields) -> None:
    """Change state (inside the caller's transaction) and announce it after
    commit. Listeners get each change once; none can stop it (see
    ``callbacks.signals``)."""
    old = callback.state
    callback.state = to
    for name, value in fields.items():
        setattr(callback, name, value)
    callback.save()
    _record(callback, old, to, detail)


def _record(callback: CallbackRequest, old: str, to: str, detail: str) -> None:
    """The change on the row's history, announced once the caller commits."""
    CallbackEvent.objects.create(
        callback=callback, from_state=old, to_state=to, detail=detail[:255]
    )
    announce_after_commit(
        callback_changed,
        sender=CallbackRequest,
        callback=callback,
        old_state=old,
        new_state=to,
        detail=detail,
    )


def _queue_dial(callback: CallbackRequest) -> None:
    """Wake a worker at the due time, after commit. If the broker is down the
    row is still saved and shown as scheduled: the sweeper dials it once the
    broker is back, so a failure here is logged, never raised."""
    from callbacks.tasks import dial_callback

    callback_id, due_at = callback.pk, callback.due_at
    transaction.on_commit(
        lambda: dial_callback.apply_async(
            kwargs={"callback_id": callback_id}, eta=due_at, retry=False
        ),
        robust=True,
    )


# Only numbers that belong to one person and cost the shop an ordinary call.
# Refused: shared cost (0570 Navi Dial is UAN here) and premium rate, billed
# by the minute (how toll fraud is paid); toll free (a customer's own number
# never is one); VoIP, pager, personal and unknown numbers.
CALLABLE_NUMBER_TYPES = frozenset(
    {
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
)


def _check_number(number) -> None:
    """Every path that asks for a call passes here: form, case page, API."""
    if number is None or not number.is_valid():
        raise NumberNotAllowed()
    if region_code_for_number(number) not in settings.CALLBACKS_ALLOWED_COUNTRIES:
        raise NumberNotAllowed()
    if number_type(number) not in CALLABLE_NUMBER_TYPES:
        raise NumberKindNotAllowed()


def _check_rate(number, requested_by) -> None:
    """One more request per rolling hour for this number (whoever asks),
    this customer, and the whole shop; refused when any budget is spent.

    In Redis when there is one, atomically, so parallel requests from many
    accounts can't all slip under a limit; else (run mode, one machine) by
    counting rows. The shop's cap is checked last, so one customer's limit
    never trips the shop's alarm. A slot taken by a request whose
    transaction then rolls back stays spent for the hour: budgets err on
    the side of fewer calls.
    """
    per_hour = settings.CALLBACKS_MAX_PER_HOUR
    shop_cap = settings.CALLBACKS_SHOP_MAX_PER_HOUR
    if settings.REDIS_URL:
        budgets = [(f"number:{number.as_e164}", per_hour)]
        if requested_by is not None:
            budgets.append((f"person:{requested_by.pk}", per_hour))
        budgets.append(("shop", shop_cap))
        full = take_request_slot(budgets=budgets)
    else:
        since = timezone.now() - datetime.timedelta(hours=1)
        counts = CallbackRequest.objects.filter(requested_at__gte=since).aggregate(
            number=Count("pk", filter=Q(number=number)),
            person=Count("pk", filter=Q(requested_by=requested_by)),
            shop=Count("pk"),
        )
        full = next(
            (
                name
                for name, limit in [
                    ("number", per_hour),
                    ("person", per_hour if requested_by is not None else None),
                    ("shop", shop_cap),
                ]
                if limit is not None and counts[name] >= limit
            ),
            None,
        )
    if full is None:
        return
    if full.startswith("number"):
        raise NumberCalledTooOften()
    if full == "shop":
        raise CallsPaused()
    raise TooManyCallbacks()


def raise_call_alarm() -> CallAlarm:
    """Record a refusal by the shop's hourly cap for staff; email them once
    per trip.

    Guarantees: one open alarm at a time (a partial unique index); refusals
    less than an hour apart count on it, the first after a quiet hour opens
    a new one. Concurrent first refusals make one alarm and one email: the
    second waits on the unique index, then counts on the first's alarm. Its
    own transaction, so it is kept although the request it records fails.
    """
    from callbacks.tasks import send_call_alarm

    now = timezone.now()
    kind = CallAlarm.Kind.SHOP_CAP
    with transaction.atomic():
        alarm = CallAlarm.objects.select_for_update().filter(kind=kind, is_open=True)
        alarm = alarm.first()
        if alarm is not None and alarm.last_refused_at < now - ALARM_QUIET:
            alarm.is_open = False
            alarm.save(update_fields=["is_open"])
            alarm = None
        if alarm is None:
            try:
                with transaction.atomic():
                    alarm = CallAlarm.objects.create(
                        kind=kind,
                        limit=settings.CALLBACKS_SHOP_MAX_PER_HOUR,
                        last_refused_at=now,
                    )
            except IntegrityError:
                alarm = CallAlarm.objects.select_for_update().get(
                    kind=kind, is_open=True
                )
            else:
                logger.error(
                    "Call cap reached: %s calls an hour; refusing new requests",
                    alarm.limit,
                )
                alarm_id = alarm.pk
                transaction.on_commit(
                    lambda: send_call_alarm.delay(alarm_id=alarm_id), robust=True
                )
                return alarm
        CallAlarm.objects.filter(pk=alarm.pk).update(
            refused=F("refused") + 1, last_refused_at=now
        )
    return alarm


def email_call_alarm(*, alarm_id: int) -> int:
    """Tell staff the cap tripped: ``ADMINS``, else every active superuser.
    Returns how many were emailed."""
    alarm = CallAlarm.objects.get(pk=alarm_id)
    recipients = [email for _name, email in settings.ADMINS]
    if not recipients:
        recipients = list(
            get_user_model()
            .objects.filter(is_active=True, is_superuser=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Calls paused: the hourly call cap is reached")
        body = _(
            "The shop reached its cap of %(limit)s calls an hour at %(when)s, "
            "so new call requests are refused until the last hour has room "
            "again. Customers are asked to write instead.\n\n"
            "If this is a real rush, raise CALLBACKS_SHOP_MAX_PER_HOUR; if not, "
            "look for abuse in the callbacks list: %(url)s"
        ) % {
            "limit": alarm.limit,
            "when": formats.date_format(
                timezone.localtime(alarm.tripped_at), "DATETIME_FORMAT"
            ),
            "url": settings.SITE_URL + reverse("admin:callbacks_callalarm_changelist"),
        }
    send_mail(subject, body, None, recipients)
    return len(recipients)


def active_alarms():
    """Alarms whose cap refused a request within the last hour: the banner."""
    return CallAlarm.objects.filter(
        is_open=True, last_refused_at__gte=timezone.now() - ALARM_QUIET
    )


def schedule_callback(
    *,
    subject: str,
    number,
    script: str,
    delay: datetime.timedelta,
    language: str = "en",
    requested_by=None,
    queue: str = "support",
) -> CallbackRequest:
    """Ask for a call ``delay`` from now ("now" is zero).

    Guarantees: one active callback per subject; asking again while one is
    scheduled moves it ("now" after "in 5 minutes") instead of adding a
    second call; asking while it is already ringing returns it unchanged.
    Refused with a ``CallbackError`` the customer can read: numbers outside
    the allowed countries or not mobile/landline; more than
    ``CALLBACKS_MAX_PER_HOUR`` requests an hour per customer or per number
    (across all accounts); more than ``CALLBACKS_SHOP_MAX_PER_HOUR`` for the
    whole shop, which also raises the staff alarm; "now" outside opening
    hours. The dial task is queued after commit with the due time.
    """
    try:
        return _schedule(
            subject=subject,
            number=number,
            script=script,
            delay=delay,
            language=language,
            requested_by=requested_by,
            queue=queue,
        )
    except CallsPaused:
        raise_call_alarm()
        raise


def _schedule(
    *, subject, number, script, delay, language, requested_by, queue
) -> CallbackRequest:
    with transaction.atomic():
        existing = (
            CallbackRequest.objects.select_for_update()
            .filter(subject=subject, state__in=CallbackRequest.ACTIVE)
            .first()
        )
        if existing is not None:
            if existing.state == State.SCHEDULED:
                return _reschedule(existing, delay)
            return existing
        _check_number(number)
        if delay <= datetime.timedelta(0) and not hours.is_open():
            raise OutsideHours(
                _("Our phone line is closed right now; it opens %(when)s.")
                % {"when": hours.next_opening_display()}
            )
        _check_rate(number, requested_by)
        callback = CallbackRequest.objects.create(
            subject=subject,
            number=number,
            script=script,
            language=language,
            queue=queue,
            requested_by=requested_by,
            due_at=timezone.now() + delay,
        )
        _record(callback, "", State.SCHEDULED, "")
        _queue_dial(callback)
    return callback


def _reschedule(
    callback: CallbackRequest, delay: datetime.timedelta
) -> CallbackRequest:
    due_at = timezone.now() + delay
    _move(callback, State.SCHEDULED, f"due {due_at.isoformat()}", due_at=due_at)
    _queue_dial(callback)
    return callback


@transaction.atomic
def reschedule_callback(*, callback: CallbackRequest, delay: datetime.timedelta):
    """Switch between "now" and "in 5 minutes" until the call starts."""
    callback = CallbackRequest.objects.select_for_update().get(pk=callback.pk)
    if callback.state != State.SCHEDULED:
        raise TooLateToChange()
    return _reschedule(callback, delay)


@transaction.atomic
def cancel_callback(
    *, callback: CallbackRequest, detail: str = "cancelled by the customer"
) -> CallbackRequest:
    """Cancel a call that has not started; ``detail`` says who and why on
    its history. Cancelling again changes nothing; once it is dialling it is
    too late (``TooLateToChange``)."""
    callback = CallbackRequest.objects.select_for_update().get(pk=callback.pk)
    if callback.state == State.CANCELLED:
        return callback
    if callback.state != State.SCHEDULED:
        raise TooLateToChange()
    _move(callback, State.CANCELLED, detail, ended_at=timezone.now())
    return callback


def _claim_oldest_due() -> CallbackRequest | None:
    """Claim the oldest due row for one dial attempt, committed before any
    call. Rows another worker is claiming are skipped, not waited for."""
    with transaction.atomic():
        callback = (
            CallbackRequest.objects.select_for_update(skip_locked=True)
            .filter(state=State.SCHEDULED, due_at__lte=timezone.now())
            .order_by("due_at", "pk")
            .first()
        )
        if callback is None:
            return None
        _move(
            callback,
            State.DIALING,
            f"attempt {callback.attempts + 1}",
            attempts=callback.attempts + 1,
            dialing_started_at=timezone.now(),
            call_sid="",
            answered_by="",
        )
    return callback


def dial(*, callback_id: int) -> CallbackRequest | None:
    """Place a due call, exactly once per attempt, within the call budget.

    A call starts only with a token from the account-wide budget (Redis);
    without one the task comes back when there will be one and the row
    stays scheduled, never dropped. Each token dials the oldest due row, so
    calls go out in due order whichever task holds the token; a task that
    dialled someone else's row goes on until its own has been dialled.
    """
    from callbacks.tasks import dial_callback

    while True:
        is_due = CallbackRequest.objects.filter(
            pk=callback_id, state=State.SCHEDULED, due_at__lte=timezone.now()
        ).exists()
        if not is_due:
            return None  # dialled, cancelled, or a task for later is queued
        wait = take_call_token()
        if wait > 0:
            try:
                dial_callback.apply_async(
                    kwargs={"callback_id": callback_id},
                    countdown=wait + random.uniform(0, 0.05),  # noqa: S311
                    retry=False,
                )
            except Exception:
                logger.exception("Could not requeue %s; the sweeper will", callback_id)
            return None
        callback = _claim_oldest_due()
        if callback is None:
            return None  # another worker is claiming it right now
        _place_call(callback)
        if callback.pk == callback_id:
            return callback


def _place_call(callback: CallbackRequest) -> None:
    """Ask the provider for the claimed row's call and record its id."""
    try:
        sid = get_dialer().place_call(
            to=callback.number.as_e164,
            reference=callback.reference,
            answer_url=_url("callbacks:answer", reference=callback.reference),
            status_url=_url("callbacks:status", reference=callback.reference),
        )
    except ProviderError as error:
        _provider_failed(callback, error)
        return
    logger.info("Placed call %s for %s", sid, callback.reference)
    # One statement: a status webhook may have recorded the id already.
    CallbackRequest.objects.filter(pk=callback.pk, call_sid="").update(
        call_sid=sid, updated_at=timezone.now()
    )


def _backoff(attempt: int) -> datetime.timedelta:
    base = settings.CALLBACKS_PROVIDER_BACKOFF * 2 ** max(attempt - 1, 0)
    return datetime.timedelta(seconds=min(base, 300) * random.uniform(0.5, 1.0))  # noqa: S311


@transaction.atomic
def _provider_failed(callback: CallbackRequest, error: ProviderError) -> None:
    callback = CallbackRequest.objects.select_for_update().get(pk=callback.pk)
    if callback.state != State.DIALING:
        return
    logger.warning("Provider refused %s: %s", callback.reference, error)
    if error.retryable and callback.attempts < settings.CALLBACKS_MAX_PROVIDER_TRIES:
        due_at = timezone.now() + _backoff(callback.attempts)
        _move(
            callback, State.SCHEDULED, f"provider busy, retry: {error}", due_at=due_at
        )
        _queue_dial(callback)
    else:
        _move(
            callback,
            State.FAILED,
            f"provider refused: {error}",
            last_error=str(error)[:255],
            ended_at=timezone.now(),
        )


@transaction.atomic
def record_status(
    *, reference: str, call_sid: str, status: str, answered_by: str = ""
) -> CallbackRequest | None:
    """Apply a provider status callback. Idempotent and order-proof: a status
    never moves a call backwards, a repeat changes nothing, and a status for
    an earlier attempt's call is ignored."""
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
        callback.answered_by = _answered_by(answered_by)
    if (
        target == State.COMPLETED
        and callback.answered_by == CallbackRequest.AnsweredBy.MACHINE
    ):
        target = State.NO_ANSWER  # a voicemail didn't speak to anyone
    if target in (State.NO_ANSWER, State.BUSY):
        _retry_or_fail(callback, target)
        return callback
    fields = {}
    if target in CallbackRequest.FINAL:
        fields["ended_at"] = timezone.now()
    _move(callback, target, status, **fields)
    return callback


def _answered_by(value: str) -> str:
    """Twilio's AnsweredBy (human, machine_start, fax, unknown…) in our terms."""
    if value == "human":
        return CallbackRequest.AnsweredBy.HUMAN
    if value.startswith("machine") or value == "fax":
        return CallbackRequest.AnsweredBy.MACHINE
    return CallbackRequest.AnsweredBy.UNKNOWN


def _retry_or_fail(callback: CallbackRequest, outcome: str) -> None:
    if callback.attempts < settings.CALLBACKS_MAX_ATTEMPTS:
        due_at = timezone.now() + datetime.timedelta(
            seconds=settings.CALLBACKS_RETRY_DELAY
        )
        _move(
            callback,
            State.SCHEDULED,
            # The call id stays on record, so a late status of this call is
            # never taken for the next attempt's.
            f"{outcome} ({callback.call_sid}); next try at {due_at.isoformat()}",
            due_at=due_at,
            call_sid="",
        )
        _queue_dial(callback)
    else:
        _move(
            callback,
            State.FAILED,
            f"{outcome} after {callback.attempts} attempts",
            ended_at=timezone.now(),
        )


def reconcile(*, callback_id: int) -> None:
    """A row stuck in ``dialing`` without a call id: the worker died around
    the provider call. Ask the provider before dialling again."""
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
            CallbackEvent.objects.create(
                callback=callback,
                from_state=callback.state,
                to_state=callback.state,
                detail=f"reconciled with provider call {found.sid}",
            )
            return
        # The provider never got it: dial this attempt again.
        _move(
            callback,
            State.SCHEDULED,
            "reconciled: no call was placed",
            due_at=timezone.now(),
            attempts=max(callback.attempts - 1, 0),
        )
        _queue_dial(callback)


def sweep() -> int:
    """Wake any due row whose task was lost; reconcile stuck dials.

    Safe to run anywhere, any time: dialling claims rows under a lock.
    """
    from callbacks.tasks import dial_callback, reconcile_callback

    now = timezone.now()
    due = list(
        CallbackRequest.objects.filter(state=State.SCHEDULED, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:500]
    )
    for callback_id in due:
        dial_callback.delay(callback_id=callback_id)
    stuck = CallbackRequest.objects.filter(
        state=State.DIALING,
        call_sid="",
        dialing_started_at__lt=now
        - datetime.timedelta(seconds=settings.CALLBACKS_STUCK_AFTER),
    ).values_list("pk", flat=True)
    for callback_id in stuck:
        reconcile_callback.delay(callback_id=callback_id)
    return len(due)


@transaction.atomic
def mark_enqueued(*, reference: str) -> CallbackRequest | None:
    """The customer answered and heard the greeting: they wait in the queue."""
    callback = (
        CallbackRequest.objects.select_for_update().filter(reference=reference).first()
    )
    if callback is not None and callback.enqueued_at is None:
        callback.enqueued_at = timezone.now()
        callback.save(update_fields=["enqueued_at", "updated_at"])
    return callback


def waiting_in_queue(*, queue: str, subject_prefix: str = ""):
    """Callers who heard the greeting and wait for an agent, longest first,
    with the agent who took each one (if any); none already put through."""
    return (
        CallbackRequest.objects.filter(
            queue=queue,
            state=State.IN_PROGRESS,
            enqueued_at__isnull=False,
            bridged_at__isnull=True,
            subject__startswith=subject_prefix,
        )
        .select_related("claimed_by")
        .order_by("enqueued_at", "pk")
    )


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
            waiting_in_queue(queue=queue, subject_prefix=subject_prefix)
            .filter(claimed_by__isnull=True)
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
        CallbackEvent.objects.create(
            callback=callback,
            from_state=callback.state,
            to_state=callback.state,
            detail=f"taken by agent {agent.pk}",
        )
        announce_after_commit(
            callback_claimed, sender=CallbackRequest, callback=callback, agent=agent
        )
    try:
        sid = get_dialer().call_agent(
            to=agent_number.as_e164,
            connect_url=_url("callbacks:agent", reference=callback.reference),
            status_url=_url("callbacks:agent_status", reference=callback.reference),
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
    CallbackEvent.objects.create(
        callback=callback,
        from_state=callback.state,
        to_state=callback.state,
        detail=f"released by agent {agent.pk}: {reason}"[:255],
    )
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
            url=_url("callbacks:join", reference=callback.reference),
        )
    except ProviderError as error:
        logger.warning("Could not put %s through: %s", reference, error)
        return False
    with transaction.atomic():
        callback = CallbackRequest.objects.select_for_update().get(pk=callback.pk)
        if callback.bridged_at is None:
            callback.bridged_at = timezone.now()
            callback.save(update_fields=["bridged_at", "updated_at"])
            CallbackEvent.objects.create(
                callback=callback,
                from_state=callback.state,
                to_state=callback.state,
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
