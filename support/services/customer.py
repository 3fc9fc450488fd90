"""The customer's side of a case: writing on it, asking for a call, and
cancelling the call."""

from django.db import transaction
from django.utils.translation import gettext as _

from callbacks import services as callback_services
from callbacks.models import CallbackRequest
from shop.models import User
from support import calls, messages, selectors
from support.exceptions import CaseClosed, NotYourLine, SupportError
from support.models import Case, CaseEvent
from support.services._common import (
    Kind,
    Status,
    _call_asked_entry,
    _earlier,
    _event,
    _locked,
    _set_status,
)
from support.tasks import notify_agent


def _customers_case(case: Case, customer: User) -> Case:
    case = _locked(case)
    if case.customer_id != customer.pk:
        raise NotYourLine()
    return case


@transaction.atomic
def post_customer_message(
    *, case: Case, customer: User, body: str, submission_key: str = ""
) -> CaseEvent:
    """The customer writes on their case; a resolved case opens again.

    Guarantees: once per submission (the same form twice, even at the same
    moment, posts one message and returns it); the assigned agent is
    emailed after commit.
    """
    case = _customers_case(case, customer)
    earlier = _earlier(case, submission_key)
    if earlier is not None:
        return earlier
    if case.status == Status.CLOSED:
        raise CaseClosed()
    body = body.strip()
    if not body:
        raise SupportError(_("Write a message to send."))
    event = _event(
        case,
        Kind.CUSTOMER_MESSAGE,
        actor=customer,
        body=body,
        submission_key=submission_key,
    )
    if case.status != Status.NEW:
        _set_status(case, Status.WAITING_FOR_AGENT)
    if case.assigned_to_id:
        transaction.on_commit(lambda: notify_agent.delay(event_id=event.pk))
    return event


def ask_for_call(
    *,
    case: Case,
    customer: User,
    number,
    later: bool,
    language: str,
    submission_key: str = "",
) -> CallbackRequest:
    """The customer asks for a call about their case, or switches a booked
    one between now and in 5 minutes.

    Guarantees:
    - One call: the case's row is locked first, so two requests at the same
      moment (a double click on "call me now") are served one after the
      other; ``callbacks`` keeps one active call per case and moves a
      booked one rather than adding a second. ("Get help" books its call
      with the case, in ``file_or_find_case``.)
    - Once per submission: the same form again returns the call it asked
      for and changes nothing (the request is an internal timeline entry
      carrying the key).
    - A resolved case opens again, as when the customer writes: someone
      will be on the line with them, and a case is never shown as sorted
      while its call is booked. (A case filed with "call me now" is
      never resolved by its remedy: its call was booked first, and the
      agent on the call resolves it after.)
    - Refused with ``CaseClosed`` on a closed case, ``SupportError`` if
      another case about the same item and problem is open, and
      ``CallbackError`` when the number or the time is refused; nothing is
      written then.
    """
    with transaction.atomic():
        case = _customers_case(case, customer)
        if _earlier(case, submission_key) is not None:
            return calls.latest_call(case)
        if case.status == Status.CLOSED:
            raise CaseClosed()
        if case.status == Status.RESOLVED:
            _reopen_for_the_customer(case)
        callback = calls.request_call(
            case=case, number=number, later=later, language=language
        )
        _call_asked_entry(
            case, customer=customer, callback=callback, submission_key=submission_key
        ).save(force_insert=True)
    return callback


def _reopen_for_the_customer(case: Case) -> None:
    other = selectors.open_case_for(
        customer=case.customer, order_line=case.order_line, problem=case.problem
    )
    if other is not None and other.pk != case.pk:
        raise SupportError(
            _("You have another open case about this: ask for the call there.")
        )
    _set_status(case, Status.WAITING_FOR_AGENT)


@transaction.atomic
def cancel_call(
    *, case: Case, customer: User, submission_key: str = ""
) -> CallbackRequest | None:
    """The customer cancels their booked call; None if none is booked.

    Guarantees: once per submission (the same form again returns the call
    it cancelled); a call already dialling raises ``TooLateToChange``.
    """
    case = _customers_case(case, customer)
    if _earlier(case, submission_key) is not None:
        return calls.latest_call(case)
    callback = calls.active_call(case)
    if callback is None:
        return None
    callback_services.cancel_callback(callback=callback)
    _event(
        case,
        Kind.CALL,
        actor=customer,
        message=messages.CUSTOMER_CANCELLED_CALL,
        public=False,
        submission_key=submission_key,
    )
    return callback
