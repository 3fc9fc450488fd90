"""Agents' verbs on a case: assign, reply, note, reship, refund, credit,
resolve, close and reopen. Each checks ``actions.why_not`` under the case's
lock and acts once per form submission."""

from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callbacks import services as callback_services
from callbacks.exceptions import CallbackError, TooLateToChange
from core.text import fill
from shop import services as shop_services
from shop.exceptions import OutOfStock
from shop.models import Shipment, User
from support import calls, messages, selectors
from support.exceptions import SupportError
from support.models import Case, CaseEvent
from support.services._common import (
    Kind,
    Status,
    _earlier,
    _event,
    _in_customer_language,
    _locked,
    _set_status,
)
from support.services._remedies import _refund, _replace
from support.services.actions import ON_THE_PHONE, _check_allowed
from support.tasks import send_case_reply


@transaction.atomic
def assign_case(
    *, case: Case, agent: User, actor: User, submission_key: str = ""
) -> Case:
    """Give the case to ``agent``; giving it to whoever has it changes
    nothing. Once per submission; not on a closed case."""
    case = _locked(case)
    if _earlier(case, submission_key) is not None:
        return case
    _check_allowed(case, "assign")
    if case.assigned_to_id == agent.pk:
        return case
    case.assigned_to = agent
    case.save(update_fields=["assigned_to", "updated_at"])
    _event(
        case,
        Kind.ASSIGNED,
        actor=actor,
        body=str(agent),
        public=False,
        submission_key=submission_key,
    )
    return case


# What a reply may also do to the case's state, in the same submit: the
# reply form's "Send and resolve" and "Send and wait for customer".
THEN_RESOLVE = "resolve"
THEN_WAIT = "wait"
THEN = (THEN_RESOLVE, THEN_WAIT)


@transaction.atomic
def reply(
    *,
    case: Case,
    actor: User,
    body: str,
    submission_key: str = "",
    then: str = "",
) -> CaseEvent:
    """A reply the customer sees and is emailed; it is the first response
    if none came before. ``then`` also sets the case's state in the same
    transaction: "resolve" resolves it (as ``resolve``), "wait" leaves it
    waiting for the customer, reopening a resolved case to ask something.
    Without ``then``, an open case waits for the customer and a resolved
    one stays resolved.

    Guarantees: once per submission: the same form twice sends one reply
    and one email, changes the state once, and returns the reply (the
    entry carrying the key; the state change is written under the same
    lock, so a twin finds both or neither). Not on a closed case; every
    check is made before anything is written, so a refused state change
    sends no reply either.
    """
    case = _locked(case)
    earlier = _earlier(case, submission_key)
    if earlier is not None:
        return earlier
    _check_allowed(case, "reply")
    if then and then not in THEN:
        raise SupportError(_("That can't be done with this case."))
    if then == THEN_RESOLVE:
        _check_allowed(case, "resolve")
    if then == THEN_WAIT and not case.is_open:
        _check_may_reopen(case)
    body = body.strip()
    if not body:
        raise SupportError(_("Write a reply to send."))
    event = _event(
        case, Kind.REPLY, actor=actor, body=body, submission_key=submission_key
    )
    if case.first_responded_at is None:
        case.first_responded_at = timezone.now()
        case.save(update_fields=["first_responded_at"])
    if then == THEN_RESOLVE:
        _resolve(case, actor=actor)
    elif then == THEN_WAIT and not case.is_open:
        _event(case, Kind.REOPENED, actor=actor)
        _set_status(case, Status.WAITING_FOR_CUSTOMER)
    elif case.status in (Status.NEW, Status.WAITING_FOR_AGENT):
        _set_status(case, Status.WAITING_FOR_CUSTOMER)
    transaction.on_commit(lambda: send_case_reply.delay(event_id=event.pk))
    return event


@transaction.atomic
def add_note(
    *, case: Case, actor: User, body: str, submission_key: str = ""
) -> CaseEvent:
    """An internal note; once per submission."""
    case = _locked(case)
    earlier = _earlier(case, submission_key)
    if earlier is not None:
        return earlier
    body = body.strip()
    if not body:
        raise SupportError(_("Write a note to save."))
    return _event(
        case,
        Kind.NOTE,
        actor=actor,
        body=body,
        public=False,
        submission_key=submission_key,
    )


def reship(*, case: Case, actor: User, submission_key: str = "") -> Shipment:
    """Send the case's units again, free; says why if it is out of stock.

    Guarantees:
    - Only on an open case that is the line owner's (``why_not``).
    - Once per submission: the case is locked, then the submission's
      timeline entry looked for; the same form again, even at the same
      moment, returns the first parcel instead of sending another.
    - Stock is taken under the product's lock; out of stock is a
      ``SupportError`` and nothing is sent.
    """
    try:
        with transaction.atomic():
            case = _locked(case)
            earlier = _earlier(case, submission_key)
            if earlier is not None:
                return selectors.replacement_sent_with(earlier)
            _check_allowed(case, "reship")
            return _replace(case, actor=actor, submission_key=submission_key)
    except OutOfStock as error:
        raise SupportError(error.message) from None


def refund(*, case: Case, actor: User, submission_key: str = "") -> None:
    """Refund the case's units once; a second refund says it was done.

    Guarantees:
    - Only on an open case that is the line owner's and not yet refunded
      (``why_not``); a resolved case is reopened first.
    - Once per case (the refund's reference is the case's) and once per
      submission: the same form again returns quietly, also when its twin
      at the same moment got past the check with it (the money moves once,
      by the reference, and the twin finds the timeline entry that carries
      its key).
    - Where the money goes and how much each tender gets back is
      ``_refund``'s.
    """
    with transaction.atomic():
        locked = _locked(case)
        if _earlier(locked, submission_key) is not None:
            return
        _check_allowed(locked, "refund")
    try:
        _refund(
            Case.objects.select_related("order", "order_line").get(pk=case.pk),
            actor=actor,
            submission_key=submission_key,
        )
    except SupportError:
        if _earlier(locked, submission_key) is None:
            raise


@transaction.atomic
def issue_credit(
    *, case: Case, actor: User, amount: int, reason: str, submission_key: str = ""
) -> CaseEvent:
    """Goodwill store credit for the case's customer.

    Guarantees: only on an open case (``why_not``); once per submission:
    under the case's lock the submission's timeline entry is looked for,
    and the credit's ledger reference is made from the case and the key,
    so the same form twice, even at the same moment, credits once and
    returns the first entry.
    """
    case = _locked(case)
    earlier = _earlier(case, submission_key)
    if earlier is not None:
        return earlier
    _check_allowed(case, "credit")
    if amount <= 0:
        raise SupportError(_("Enter an amount above zero."))
    shop_services.issue_store_credit(
        user=case.customer,
        amount=amount,
        reason=reason or _("Case %(id)s") % {"id": case.pk},
        actor=actor,
        # The ledger's references are up to 80 characters.
        reference=f"case-{case.pk}-credit-{submission_key[:48]}"
        if submission_key
        else None,
    )
    said = messages.ADDED_TO_STORE_CREDIT
    params = messages.params_for(amount=amount)
    return _event(
        case,
        Kind.STORE_CREDIT,
        actor=actor,
        submission_key=submission_key,
        message=said,
        params=params,
    )


def _end_booked_call(case: Case, *, actor: User, message) -> None:
    """Before an agent resolves or closes ``case`` (locked): a call that is
    only booked is cancelled, and the customer told on the timeline and by
    email (``message``, lazy, says why). A call already dialling refuses.
    """
    callback = calls.active_call(case)
    if callback is None:
        return
    try:
        callback_services.cancel_callback(
            callback=callback, detail=f"cancelled by {actor}: case {case.pk} ended"
        )
    except TooLateToChange:
        raise SupportError(str(ON_THE_PHONE)) from None
    with _in_customer_language(case):
        body = fill(message, {"time": time_format(timezone.localtime(callback.due_at))})
    event = _event(case, Kind.CALL, actor=actor, body=body)
    transaction.on_commit(lambda: send_case_reply.delay(event_id=event.pk))


@transaction.atomic
def resolve(*, case: Case, actor: User, submission_key: str = "") -> Case:
    """The agent marks the case sorted.

    Guarantees:
    - Once per submission; only an open case (a resolved one says so).
    - Never "Resolved" while a call is booked. We chose: a call still only
      booked (not yet dialling) is cancelled, and the customer is told on
      the timeline and by email, because the agent has decided nothing is
      left to talk about, and a phone ringing about a sorted case is worse
      than a note saying so (one click on the case page books another).
      A call already dialling, ringing or connected refuses the resolve
      ("the customer is on the phone"): it cannot be taken back, and the
      agent on it resolves after hanging up.
    """
    case = _locked(case)
    if _earlier(case, submission_key) is not None:
        return case
    _check_allowed(case, "resolve")
    _resolve(case, actor=actor, submission_key=submission_key)
    return case


def _resolve(case: Case, *, actor: User, submission_key: str = "") -> None:
    """Resolve ``case`` (locked, ``why_not`` checked): a booked call ends
    first (``_end_booked_call``)."""
    _end_booked_call(
        case,
        actor=actor,
        message=gettext_lazy(
            "We've cancelled the call booked for %(time)s, as this is sorted. "
            "If you'd still like to talk to us, ask for a call here."
        ),
    )
    _event(case, Kind.RESOLVED, actor=actor, submission_key=submission_key)
    _set_status(case, Status.RESOLVED)


@transaction.atomic
def close(*, case: Case, actor: User, submission_key: str = "") -> Case:
    """The agent closes the case. Once per submission; a booked call is
    cancelled and a call under way refuses, as for ``resolve``."""
    case = _locked(case)
    if _earlier(case, submission_key) is not None:
        return case
    _check_allowed(case, "close")
    _end_booked_call(
        case,
        actor=actor,
        message=gettext_lazy(
            "We've cancelled the call booked for %(time)s, as this case is closed."
        ),
    )
    _event(case, Kind.CLOSED, actor=actor, submission_key=submission_key)
    _set_status(case, Status.CLOSED)
    return case


@transaction.atomic
def reopen(*, case: Case, actor: User, submission_key: str = "") -> Case:
    """Open a resolved or closed case again; once per submission; refused
    while another case about the same item and problem is open."""
    case = _locked(case)
    if _earlier(case, submission_key) is not None:
        return case
    _check_allowed(case, "reopen")
    _check_may_reopen(case)
    _event(case, Kind.REOPENED, actor=actor, submission_key=submission_key)
    _set_status(case, Status.WAITING_FOR_AGENT)
    return case


def _check_may_reopen(case: Case) -> None:
    """A case is not reopened while another about the same item and
    problem is open (the database allows one)."""
    if selectors.open_case_for(
        customer=case.customer, order_line=case.order_line, problem=case.problem
    ):
        raise SupportError(_("Another case for this item and problem is already open."))


@transaction.atomic
def call_customer(*, case: Case, actor: User, submission_key: str = "") -> None:
    """The agent calls the customer back now, from the case page, on the
    number the customer gave (``selectors.number_to_call``).

    Guarantees:
    - Once per submission; the case's row is locked, and ``why_not`` is
      checked under it: an open case with no call booked or under way (a
      twin sent at the same moment finds the first one's call and is told
      so, or, with the same key, finds its entry and does nothing).
    - Refused with ``SupportError``, nothing written, when the line is
      closed or the number may not be called (the call rules of
      ``callbacks``, as for the customer's own request).
    - The call reaches the phone queue like the customer's "call me now",
      so the agent who asked takes it with "Connect me".
    """
    case = _locked(case)
    if _earlier(case, submission_key) is not None:
        return
    _check_allowed(case, "call")
    number = selectors.number_to_call(case)
    if number is None:
        raise SupportError(_("The customer has given us no phone number to call."))
    language = case.customer.language or "en"
    try:
        callback = calls.request_call(
            case=case,
            number=number,
            later=False,
            language=language,
        )
    except CallbackError as error:
        raise SupportError(str(error.message)) from None
    _event(
        case,
        Kind.CALL,
        actor=actor,
        body=fill(
            _("%(agent)s asked to call the customer at %(time)s."),
            {"agent": actor, "time": time_format(timezone.localtime(callback.due_at))},
        ),
        public=False,
        submission_key=submission_key,
    )
