"""What every verb shares: a state change with its history and its signal,
a line on the history that changes no state, the wake-up of a worker at the
due time, and the URLs the provider calls."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from callbacks import metrics
from callbacks.models import CallbackEvent, CallbackRequest
from callbacks.signals import announce_after_commit, callback_changed
from callbacks.tasks import check_pickup, dial_callback
from core import rows
from core.logs import bind

logger = logging.getLogger(__name__)


def public_url(name: str, **kwargs) -> str:
    """An absolute URL of ours that the provider can reach."""
    return settings.CALLBACKS_PUBLIC_BASE_URL + reverse(name, kwargs=kwargs)


def move(*, callback: CallbackRequest, to: str, detail: str = "", **fields) -> None:
    """Change state (inside the caller's transaction) and announce it after
    commit. Listeners get each change once; none can stop it (see
    ``callbacks.signals``)."""
    old = callback.state
    callback.state = to
    for name, value in fields.items():
        setattr(callback, name, value)
    callback.save()
    record(callback=callback, old=old, to=to, detail=detail)


def record(
    *,
    callback: CallbackRequest,
    old: str,
    to: str,
    detail: str,
    with_subject: bool = False,
) -> None:
    """The change on the row's history (and the log), announced once the
    caller commits."""
    rows.insert(
        [
            CallbackEvent(
                callback=callback, from_state=old, to_state=to, detail=detail[:255]
            )
        ]
    )
    announce(
        callback=callback, old=old, to=to, detail=detail, with_subject=with_subject
    )


def announce(
    *,
    callback: CallbackRequest,
    old: str,
    to: str,
    detail: str,
    with_subject: bool = False,
) -> None:
    """A change already on the row's history: logged, and announced once
    the caller commits (``record`` without its insert, for a verb that
    wrote the history line in its own statement). ``with_subject``: a call
    booked in the transaction that made its subject (``callbacks.signals``)."""
    with bind(**callback.log_fields()):
        logger.info(
            "Callback %s: %s -> %s %s", callback.reference, old or "new", to, detail
        )
    announce_after_commit(
        callback_changed,
        sender=CallbackRequest,
        callback=callback,
        old_state=old,
        new_state=to,
        detail=detail,
        with_subject=with_subject,
    )
    if to in CallbackRequest.FINAL and old not in CallbackRequest.FINAL:
        transaction.on_commit(metrics.CALLS_FINISHED.labels(state=to).inc)


def note(*, callback: CallbackRequest, detail: str) -> None:
    """A line on the row's history that changes no state (who took the
    call, which provider call it is). Nothing is announced: listeners hear
    of state changes, and the verbs that note send their own signal."""
    CallbackEvent.objects.create(
        callback=callback,
        from_state=callback.state,
        to_state=callback.state,
        detail=detail[:255],
    )
    with bind(**callback.log_fields()):
        logger.info("Callback %s: %s", callback.reference, detail)


def queue_dial(*, callback: CallbackRequest) -> None:
    """Wake a worker at the due time, after commit. If the broker is down the
    row is still saved and shown as scheduled: the sweeper dials it once the
    broker is back, so a failure here is logged, never raised."""
    callback_id, due_at = callback.pk, callback.due_at
    transaction.on_commit(
        lambda: dial_callback.apply_async(
            kwargs={"callback_id": callback_id}, eta=due_at, retry=False
        ),
        robust=True,
    )


def offer_to_agents(*, callback: CallbackRequest) -> None:
    """The caller waits for an agent from now: set when they must be put
    through (``CALLBACKS_PICKUP_TIMEOUT``) and wake a worker just after, to
    see whether they were (after commit; the sweeper covers a lost wake-up).
    The caller saves the row."""
    timeout = settings.CALLBACKS_PICKUP_TIMEOUT
    callback.pickup_due_at = timezone.now() + datetime.timedelta(seconds=timeout)
    callback_id = callback.pk
    transaction.on_commit(
        lambda: check_pickup.apply_async(
            kwargs={"callback_id": callback_id}, countdown=timeout + 1, retry=False
        ),
        robust=True,
    )
