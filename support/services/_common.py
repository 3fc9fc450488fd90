"""Helpers the support verbs share: the timeline entry, the case's lock, the
submission's earlier entry, the status change, the customer's language."""

import datetime

from django.db.models import QuerySet
from django.utils import formats, timezone, translation

from core import rows
from shop.models import User
from support import calls, messages
from support.models import Case, CaseEvent

Problem = Case.Problem
Status = Case.Status
Kind = CaseEvent.Kind


def _event(case: Case, kind: str, **fields) -> CaseEvent:
    """An entry, written: ``_unsaved_event``'s, which says what ``fields``
    it takes; one in our words keeps ``message`` and ``params``
    (``support.messages``), and its ``body``, unless given, is that sentence
    in the customer's language (``_said``)."""
    event = _unsaved_event(case, kind, **fields)
    event.save(force_insert=True)
    return event


def _unsaved_event(
    case: Case,
    kind: str,
    *,
    actor: User | None,
    body: str = "",
    public: bool = True,
    submission_key: str = "",
    message: str = "",
    params: dict | None = None,
) -> CaseEvent:
    """``_event``'s entry, not yet written: entries written together go in
    one insert (``_events``)."""
    if message and not body:
        body = _said(case, message, params or {})
    return CaseEvent(
        case=case,
        kind=kind,
        actor=actor,
        body=body,
        is_public=public,
        submission_key=submission_key,
        message=message,
        params=params or {},
    )


def _call_asked_entry(
    case: Case, *, customer: User, callback, submission_key: str
) -> CaseEvent:
    """The staff's entry for the customer asking to be called (unsaved):
    on the form that files the case, and on the case page's call form."""
    return _unsaved_event(
        case,
        Kind.CALL,
        actor=customer,
        message=messages.CUSTOMER_ASKED_FOR_CALL,
        params=messages.params_for(time=callback.due_at),
        public=False,
        submission_key=submission_key,
    )


def _events(events: list[CaseEvent]) -> list[CaseEvent]:
    """Entries made by ``_unsaved_event`` written in one insert, in their
    order (one statement: all or none, without a transaction of its own)."""
    return rows.insert(events)


def _said(case: Case, message: str, params: dict) -> str:
    """Sentence ``message`` in the customer's language, for ``body``."""
    with _in_customer_language(case):
        return messages.words(message, params, item=case.order_line.display_name)


def _earlier(case: Case, submission_key: str) -> CaseEvent | None:
    """The entry this form submission already wrote on ``case``, if it was
    sent before. Callers hold the case's lock, so a twin sent at the same
    moment has either committed its entry or not started."""
    if not submission_key:
        return None
    return _EARLIER.first(case=case.pk, submission_key=submission_key)


def _locked(case: Case) -> Case:
    """``case`` again, its row locked until the transaction ends. The case
    is locked before the order (the shop's services lock that), as
    everywhere."""
    return _LOCKED.get(pk=case.pk)


def _entry_for_submission(case: int, submission_key: str) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=case, submission_key=submission_key)[:1]


def _locked_case(pk: int) -> QuerySet[Case]:
    return (
        Case.objects.select_for_update()
        .select_related("order", "order_line")
        .filter(pk=pk)
    )


# Built once per process: every customer's and agent's action on a case
# locks it and looks for its submission's entry first.
_EARLIER = rows.Statement(_entry_for_submission)
_LOCKED = rows.Statement(_locked_case)


def _in_customer_language(case: Case) -> translation.override:
    """What the customer reads on their timeline is in their language, also
    when an agent (in the admin) or a worker writes it."""
    return translation.override(case.customer.language or translation.get_language())


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _set_status(case: Case, status: str) -> None:
    """Change the status; the caller holds the case's lock.

    A case is never resolved while its call is booked or under way: the
    customer asked to talk to someone, so a remedy that would resolve it
    (a replacement, documents, a refund) leaves it open for the agent on
    that call, who resolves it after. ``resolve`` and ``close`` end a booked
    call before they get here (``_end_booked_call``).
    """
    if status == Status.RESOLVED and calls.active_call(case) is not None:
        status = Status.WAITING_FOR_AGENT
    case.status = status
    if status == Status.RESOLVED:
        case.resolved_at = timezone.now()
    elif status != Status.CLOSED:
        # Closing keeps when it was resolved (the resolution service level
        # reads it); reopening starts over.
        case.resolved_at = None
    case.save(update_fields=["status", "resolved_at", "updated_at"])
