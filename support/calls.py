"""Support's use of phone callbacks: what to say, and the case's side of
each call. ``callbacks`` knows nothing of cases; this module speaks to it."""

import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation

from callbacks import hours
from callbacks import selectors as callback_selectors
from callbacks import services as callback_services
from callbacks.models import CallbackRequest
from core import rows
from core.batches import DEFAULT_BATCH_SIZE
from core.logs import bind
from support import messages
from support.models import Case, CaseEvent
from support.tasks import send_call_failed

# Support's calls wait for agents in this queue of ``callbacks``.
QUEUE = "support"
# A call's subject names its case: "support.case:42" (``subject_for`` and
# ``case_id_from`` make and read it; nothing else does).
SUBJECT_PREFIX = "support.case:"

# How the greeting names the problem, per language.
PROBLEM_PHRASES = {
    "en": {
        "missing_item": "missing from",
        "not_delivered": "not yet delivered, from",
        "damaged": "that arrived damaged, from",
        "defective": "that is defective, from",
        "missing_documents": "that came without its manual or warranty card, from",
        "wrong_item": "that arrived instead of what you ordered, in",
        "other": "from",
    },
    "ja": {
        "missing_item": "が届いていない件",
        "not_delivered": "がまだ届かない件",
        "damaged": "が破損して届いた件",
        "defective": "の不具合の件",
        "missing_documents": "の説明書・保証書がなかった件",
        "wrong_item": "が違う商品だった件",
        "other": "の件",
    },
}


def subject_for(case: Case) -> str:
    """The subject of ``case``'s calls."""
    return f"{SUBJECT_PREFIX}{case.pk}"


def case_id_from(subject: str) -> int | None:
    """The id of the case a call's ``subject`` names (``subject_for``), or
    None when it is not a support call's."""
    if not subject.startswith(SUBJECT_PREFIX):
        return None
    case_id = subject.removeprefix(SUBJECT_PREFIX)
    return int(case_id) if case_id.isdigit() else None


def script_for(case: Case, language: str) -> str:
    """The greeting: the shop, the item, the problem and the order, so
    nobody has to ask the customer who they are or what happened."""
    item, number = case.order_line.name, case.order.number
    if language.startswith("ja"):
        item = case.order_line.name_ja or item
        phrase = PROBLEM_PHRASES["ja"][case.problem]
        return (
            f"Hoshii カスタマーサポートです。ご注文番号 {number} の"
            f"{item}{phrase}でお電話しました。担当者におつなぎしますので、"
            "このままお待ちください。"
        )
    phrase = PROBLEM_PHRASES["en"][case.problem]
    return (
        f"Hello, this is Hoshii customer support, calling about the {item} "
        f"{phrase} order {number}. Please hold: an agent who has your case in "
        "front of them will be with you shortly."
    )


@transaction.atomic
def request_call(*, case: Case, number, later: bool, language: str) -> CallbackRequest:
    """Ask for a call now or in a few minutes; raises ``CallbackError``.

    The case's row is locked first: ``schedule_callback`` locks an active
    call it finds, but two requests that find none would both insert one,
    and the second would fail on the one-active-call index. Under the
    case's lock the second waits, then finds the first's call (and moves it
    if it is still only booked). Customers ask through
    ``support.services.ask_for_call``, which also keeps the case's state
    and the submission right.
    """
    Case.objects.select_for_update().only("pk").get(pk=case.pk)
    return book_call(case=case, number=number, later=later, language=language)


def book_call(
    *, case: Case, number, later: bool, language: str, case_is_new: bool = False
) -> CallbackRequest:
    """``request_call`` for a caller that holds the case's lock already (or
    inserted the case in its transaction); raises ``CallbackError``, having
    written nothing then, so the caller's transaction goes on.

    ``case_is_new``: the case was inserted in the caller's transaction, so
    it has no call yet to look for.

    "Later" outside opening hours means when the line next opens. Reads
    ``case.order``, ``case.order_line`` and ``case.customer``: pass them
    loaded.
    """
    delay = datetime.timedelta(seconds=settings.CALLBACKS_LATER_DELAY if later else 0)
    if later and not hours.is_open(timezone.now() + delay):
        delay = hours.next_opening(timezone.now() + delay) - timezone.now()
    ids = log_ids(case)
    with bind(**ids):
        return callback_services.schedule_callback(
            subject=subject_for(case),
            number=number,
            script=script_for(case, language),
            delay=delay,
            language=language,
            requested_by=case.customer,
            queue=QUEUE,
            log_context=ids,
            subject_is_new=case_is_new,
        )


def log_ids(case: Case) -> dict:
    """What every log line of the case's calls carries: the case's and the
    order's ids (the call keeps them: ``CallbackRequest.log_context``)."""
    return {"case_id": case.pk, "order_id": case.order_id}


def subjects_of(cases: QuerySet[Case]) -> QuerySet:
    """The subjects of ``cases``' calls (``subject_for``), as a query the
    database runs itself: no list of ids leaves it, however many cases."""
    return cases.annotate(
        call_subject=Concat(Value(SUBJECT_PREFIX), Cast("pk", CharField()))
    ).values("call_subject")


def forget_numbers(
    *, cases: QuerySet[Case], batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Remove the numbers of ``cases``' calls that are over (callbacks does
    it; support says which): once their case has been closed long enough
    (retention), or when their customer closes their account (a booked
    call is cancelled before this)."""
    return callback_services.forget_numbers(
        subjects=subjects_of(cases), batch_size=batch_size
    )


def case_for(callback: CallbackRequest) -> Case | None:
    """The case a support call is about, or None for anyone else's call."""
    case_id = case_id_from(callback.subject)
    if case_id is None:
        return None
    return Case.objects.filter(pk=case_id).first()


def waiting_calls() -> list[tuple[CallbackRequest, Case | None]]:
    """The phone queue: support callers waiting for an agent, longest
    first, each with their case (None if it is gone)."""
    waiting = list(
        callback_selectors.waiting_in_queue(queue=QUEUE, subject_prefix=SUBJECT_PREFIX)
    )
    cases = Case.objects.select_related("customer", "order_line").in_bulk(
        [case_id_from(callback.subject) for callback in waiting]
    )
    return [
        (callback, cases.get(case_id_from(callback.subject))) for callback in waiting
    ]


def take_next_call(*, agent, submission_key: str) -> Case | None:
    """ "Connect me": the agent takes the longest-waiting support caller and
    their phone rings to be put through to that caller; returns that
    caller's case, or None when nobody is waiting. The same submission twice
    takes one caller and rings once. Raises ``ProviderError``."""
    callback = callback_services.claim_waiting_call(
        queue=QUEUE,
        agent=agent,
        agent_number=agent.phone,
        submission_key=submission_key,
        subject_prefix=SUBJECT_PREFIX,
    )
    return case_for(callback) if callback is not None else None


def _latest_call(subject: str) -> QuerySet[CallbackRequest]:
    return CallbackRequest.objects.filter(subject=subject).order_by(
        "-requested_at", "-pk"
    )[:1]


def _active_call(subject: str) -> QuerySet[CallbackRequest]:
    return CallbackRequest.objects.filter(
        subject=subject, state__in=CallbackRequest.ACTIVE
    ).order_by("-pk")[:1]


# Built once per process: the case page and the call's status, which the
# customer's page polls, read them on every request.
_LATEST_CALL = rows.Statement(_latest_call)
_ACTIVE_CALL = rows.Statement(_active_call)


def latest_call(case: Case) -> CallbackRequest | None:
    """The case's latest call, whatever its state, if it ever had one."""
    return _LATEST_CALL.first(subject=subject_for(case))


def active_call(case: Case) -> CallbackRequest | None:
    """The case's call that is booked or under way, if any (at most one)."""
    return _ACTIVE_CALL.first(subject=subject_for(case))


def calls_for(case: Case):
    """The case's calls with their history and the agent who took each."""
    return (
        CallbackRequest.objects.filter(subject=subject_for(case))
        .select_related("claimed_by")
        .prefetch_related("events")
    )


def on_callback_changed(
    sender, callback, old_state, new_state, detail, with_subject=False, **kwargs
) -> None:
    """Write each change of a support call on its case's timeline, but for
    a call booked with a new case (``with_subject``): filing wrote its lines
    with the case's (``call_change_entries``).

    The lines are written with the case's id from the call's subject,
    without reading the case: cases are never deleted, and a subject that
    names no case (another app's call that looks like ours) writes nothing,
    its insert refused by the case's foreign key."""
    case_id = case_id_from(callback.subject)
    if case_id is None or with_subject:
        return
    if connection.in_atomic_block and not Case.objects.filter(pk=case_id).exists():
        # Run inside someone's transaction (a test running commit hooks in
        # its own), a refused foreign key would only be found at their
        # commit: look first. After a commit, as calls announce, never.
        return
    try:
        _write_call_change(
            case_id=case_id, callback=callback, new_state=new_state, detail=detail
        )
    except IntegrityError:
        return


def record_call_change(
    *, case: Case, callback: CallbackRequest, new_state: str, detail: str
) -> CaseEvent:
    """``callback``'s change to ``new_state`` on ``case``'s timeline: the
    customer's line and staff's; returns the customer's."""
    return _write_call_change(
        case_id=case.pk, callback=callback, new_state=new_state, detail=detail
    )


def _write_call_change(
    *, case_id: int, callback: CallbackRequest, new_state: str, detail: str
) -> CaseEvent:
    # One statement, all or nothing by itself: after a call's change
    # commits (where listeners run) it needs no transaction around it.
    event, _internal = rows.insert(
        call_change_entries(
            case_id=case_id, callback=callback, new_state=new_state, detail=detail
        )
    )
    if new_state == CallbackRequest.State.FAILED:
        transaction.on_commit(lambda: send_call_failed.delay(event_id=event.pk))
    return event


def call_change_entries(
    *, case_id: int, callback: CallbackRequest, new_state: str, detail: str
) -> list[CaseEvent]:
    """The lines of ``callback``'s change to ``new_state``, unsaved: the
    customer's, then staff's."""
    # The customer's line, said again in each reader's language; its body
    # in the language they asked for the call in (for the email that quotes
    # it): this runs in a worker or a webhook, where no request of theirs
    # is active.
    message = messages.call_message(new_state)
    if new_state == CallbackRequest.State.SCHEDULED and callback.attempts:
        message = messages.CALL_NO_ANSWER_TRY_AGAIN
    params = messages.params_for(due=callback.due_at)
    with translation.override(callback.language):
        body = messages.words(message, params) if message in messages.MESSAGES else ""
    attempt = callback.attempts
    internal = f"{callback.reference} {new_state} (attempt {attempt}) {detail}"
    return [
        CaseEvent(
            case_id=case_id,
            kind=CaseEvent.Kind.CALL,
            body=body or new_state,
            is_public=True,
            message=message,
            params=params,
        ),
        CaseEvent(
            case_id=case_id,
            kind=CaseEvent.Kind.CALL,
            body=internal[:5000],
            is_public=False,
        ),
    ]


def _note_for_staff(callback: CallbackRequest, *, agent, message: str, **facts) -> None:
    """A line about an agent and the call on its case's timeline, for staff
    only (``message``, a sentence of ``support.messages`` naming the agent
    and ``facts``); nothing for a call that is not about a case."""
    case = case_for(callback)
    if case is None:
        return
    params = messages.params_for(agent=str(agent), **facts)
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.CALL,
        is_public=False,
        actor=agent,
        body=messages.words(message, params),
        message=message,
        params=params,
    )


def on_callback_claimed(sender, callback, agent, **kwargs) -> None:
    """ "Agent X took the call" on the case's timeline, for staff."""
    _note_for_staff(
        callback,
        agent=agent,
        message=messages.AGENT_TOOK_CALL,
        reference=callback.reference,
    )


def on_callback_released(sender, callback, agent, reason, **kwargs) -> None:
    """The agent's phone wasn't answered: the caller is back in the queue."""
    _note_for_staff(
        callback,
        agent=agent,
        message=messages.AGENT_DIDNT_GET_THROUGH,
        reason=reason,
    )


def on_callback_missed(sender, callback, agent, **kwargs) -> None:
    """A waiting caller nobody put through in time is first in line again.
    The call's row shows the missed pick-up (``support.timeline``); when an
    agent had taken the caller, a line for staff names them."""
    if agent is None:
        return
    _note_for_staff(
        callback,
        agent=agent,
        message=messages.MISSED_PICK_UP,
        seconds=settings.CALLBACKS_PICKUP_TIMEOUT,
    )
