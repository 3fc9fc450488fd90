"""Asking for a call, moving it, cancelling it: the checks every request
passes (the number, the hourly budgets, opening hours) and the one active
call per subject."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumbers import PhoneNumberType, number_type, region_code_for_number

from callbacks import hours
from callbacks.exceptions import (
    CallbackError,
    CallsPaused,
    NumberCalledTooOften,
    NumberKindNotAllowed,
    NumberNotAllowed,
    OutsideHours,
    TooLateToChange,
    TooManyCallbacks,
)
from callbacks.models import CallbackRequest
from callbacks.ratelimit import take_request_slot
from callbacks.services.alarms import raise_call_alarm
from callbacks.services.transitions import move, queue_dial, record
from core import rows
from core.text import fill

State = CallbackRequest.State

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


def _check_number(*, number) -> None:
    """Every path that asks for a call passes here: form, case page, API."""
    if number is None or not number.is_valid():
        raise NumberNotAllowed()
    if region_code_for_number(number) not in settings.CALLBACKS_ALLOWED_COUNTRIES:
        raise NumberNotAllowed()
    if number_type(number) not in CALLABLE_NUMBER_TYPES:
        raise NumberKindNotAllowed()


def _check_rate(*, number, requested_by) -> None:
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


def schedule_callback(
    *,
    subject: str,
    number,
    script: str,
    delay: datetime.timedelta,
    queue: str,
    language: str = "en",
    requested_by=None,
    log_context: dict | None = None,
    subject_is_new: bool = False,
) -> CallbackRequest:
    """Ask for a call ``delay`` from now ("now" is zero); once answered, the
    caller waits in ``queue`` (the asking app's name for its agents' line).
    ``log_context``: ids (never personal data) the asking app wants on every
    log line of this call, wherever it is handled (``log_fields``).

    Guarantees: one active callback per subject; asking again while one is
    scheduled moves it ("now" after "in 5 minutes") instead of adding a
    second call; asking while it is already ringing returns it unchanged.
    Refused with a ``CallbackError`` the customer can read: numbers outside
    the allowed countries or not mobile/landline; more than
    ``CALLBACKS_MAX_PER_HOUR`` requests an hour per customer or per number
    (across all accounts); more than ``CALLBACKS_SHOP_MAX_PER_HOUR`` for the
    whole shop, which also raises the staff alarm; "now" outside opening
    hours. The dial task is queued after commit with the due time.

    ``subject_is_new``: the asker vouches that no call was ever booked for
    ``subject`` (it names a row inserted in the asker's own transaction), so
    there is nothing to look for; the one-active-call index still refuses a
    second active call. The booking is announced ``with_subject``: the
    asker, writing its subject now, records it with its own writes.
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
            log_context=log_context or {},
            subject_is_new=subject_is_new,
        )
    except CallsPaused:
        raise_call_alarm()
        raise


def _active_locked(subject: str) -> QuerySet[CallbackRequest]:
    return CallbackRequest.objects.select_for_update().filter(
        subject=subject, state__in=CallbackRequest.ACTIVE
    )[:1]


# Built once per process: every call asked for about a subject that may
# have one already (the case page's "call me now") looks for it, locked.
_ACTIVE_LOCKED = rows.Statement(_active_locked)


def _schedule(
    *,
    subject,
    number,
    script,
    delay,
    language,
    requested_by,
    queue,
    log_context,
    subject_is_new,
) -> CallbackRequest:
    # Inside a caller's transaction this joins it without a savepoint: a
    # refusal is decided before anything is written and raised once the
    # block has ended cleanly, so the caller's own writes (a case filed a
    # moment before) stay and it may go on. A database error still aborts
    # the caller's transaction, as it would on PostgreSQL anyway.
    refused = None
    with transaction.atomic(savepoint=False):
        existing = None if subject_is_new else _ACTIVE_LOCKED.first(subject=subject)
        if existing is not None:
            if existing.state == State.SCHEDULED:
                return _reschedule(callback=existing, delay=delay)
            return existing
        try:
            _check_request(number=number, delay=delay, requested_by=requested_by)
        except CallbackError as error:
            refused = error
        else:
            (callback,) = rows.insert(
                [
                    CallbackRequest(
                        subject=subject,
                        number=number,
                        script=script,
                        language=language,
                        queue=queue,
                        requested_by=requested_by,
                        due_at=timezone.now() + delay,
                        log_context=log_context,
                    )
                ]
            )
            record(
                callback=callback,
                old="",
                to=State.SCHEDULED,
                detail="",
                with_subject=subject_is_new,
            )
            queue_dial(callback=callback)
    if refused is not None:
        raise refused
    return callback


def _check_request(*, number, delay: datetime.timedelta, requested_by) -> None:
    """A new call's checks, in order; each refusal a ``CallbackError``."""
    _check_number(number=number)
    if delay <= datetime.timedelta(0) and not hours.is_open():
        raise OutsideHours(
            fill(
                _("Our phone line is closed right now; it opens %(when)s."),
                {"when": hours.next_opening_display()},
            )
        )
    _check_rate(number=number, requested_by=requested_by)


def _reschedule(
    *, callback: CallbackRequest, delay: datetime.timedelta
) -> CallbackRequest:
    due_at = timezone.now() + delay
    move(
        callback=callback,
        to=State.SCHEDULED,
        detail=f"due {due_at.isoformat()}",
        due_at=due_at,
    )
    queue_dial(callback=callback)
    return callback


@transaction.atomic
def reschedule_callback(
    *, callback: CallbackRequest, delay: datetime.timedelta
) -> CallbackRequest:
    """Switch between "now" and "in 5 minutes" until the call starts.

    Guarantees: under the row's lock, so it never races the worker's claim:
    once the row is dialling it is too late (``TooLateToChange``). The dial
    task for the new due time is queued after commit; the old one finds the
    row not yet due, or already dialled, and does nothing.
    """
    callback = CallbackRequest.objects.select_for_update().get(pk=callback.pk)
    if callback.state != State.SCHEDULED:
        raise TooLateToChange()
    return _reschedule(callback=callback, delay=delay)


@transaction.atomic
def cancel_callback(
    *, callback: CallbackRequest, detail: str = "cancelled by the customer"
) -> CallbackRequest:
    """Cancel a call that has not started; ``detail`` says who and why on
    its history.

    Guarantees: under the row's lock; cancelling again changes nothing;
    once it is dialling it is too late (``TooLateToChange``).
    """
    callback = CallbackRequest.objects.select_for_update().get(pk=callback.pk)
    if callback.state == State.CANCELLED:
        return callback
    if callback.state != State.SCHEDULED:
        raise TooLateToChange()
    move(
        callback=callback,
        to=State.CANCELLED,
        detail=detail,
        ended_at=timezone.now(),
    )
    return callback
