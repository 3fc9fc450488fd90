"""Filing a case, and the automatic decision that follows at once: a
replacement for a missing item, the documents, the remedy the customer
chose, the state of a delivery, or an agent and why."""

import datetime
import enum
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.exceptions import CallbackError
from core import rows
from shop.models import OrderLine, Shipment, User
from support import calls, messages, selectors
from support.exceptions import NotYourLine, SupportError
from support.models import Case
from support.services._common import (
    Kind,
    Problem,
    Status,
    _call_asked_entry,
    _event,
    _events,
    _set_status,
    _unsaved_event,
)
from support.services._remedies import (
    _hand_to_agent,
    _handed_to_agent,
    _refund,
    _replace_or_hand_over,
    _send_documents,
)


def check_may_file(*, customer: User, order_line: OrderLine, problem: str) -> bool:
    """May ``customer`` file this problem about this line? Returns whether
    the line is a gift. The rule is ``selectors.may_file``: the line's owner
    may file anything; a giver only "not delivered" about the gift they
    sent. Raises ``NotYourLine``, also to a recipient for a gift still a
    surprise (as if it were not theirs: the refusal must not confirm what it
    is)."""
    rule = selectors.may_file(customer=customer, order_line=order_line)
    if not rule.problems:
        raise NotYourLine()
    if rule.as_giver and problem not in rule.problems:
        raise SupportError(
            _(
                "This gift belongs to the person you gave it to: only they can "
                "report a problem with it. You can ask where it is."
            )
        )
    return rule.is_gift


class Filing(NamedTuple):
    """What ``file_or_find_case`` did: the case, and how it came by it."""

    class Outcome(enum.Enum):
        FILED = "filed"  # filed now (or by this submission's twin just now)
        SENT_BEFORE = "sent_before"  # this form submission filed it earlier
        ALREADY_OPEN = "already_open"  # an open case about this was there

    case: Case
    outcome: Outcome
    # Why the call asked for with the case could not be arranged (the case
    # is filed all the same); empty when it was, or none was asked for.
    call_refused: str = ""


def file_case(
    *,
    customer: User,
    order_line: OrderLine,
    problem: str,
    description: str = "",
    contact: str = Case.Contact.MESSAGE,
    quantity: int = 1,
    remedy: str = "",
    submission_key: str = "",
) -> Case:
    """Open a case, then put things right at once where policy allows; the
    case that was there already if this was sent before or is open.

    ``file_or_find_case``'s case alone, for callers that need not know how
    it came by it. Guarantees: those of ``file_or_find_case``."""
    return file_or_find_case(
        customer=customer,
        order_line=order_line,
        problem=problem,
        description=description,
        contact=contact,
        quantity=quantity,
        remedy=remedy,
        submission_key=submission_key,
    ).case


class _TwinFiled(Exception):
    """The case's insert met its twin's on a unique index."""


def file_or_find_case(
    *,
    customer: User,
    order_line: OrderLine,
    problem: str,
    description: str = "",
    contact: str = Case.Contact.MESSAGE,
    quantity: int = 1,
    remedy: str = "",
    submission_key: str = "",
    call_to=None,
    language: str = "en",
) -> Filing:
    """Open a case, then put things right at once where policy allows; with
    ``call_to`` (a phone number, for ``contact`` "call now" or "call
    later"), book that call with it, in ``language``.

    Guarantees:
    - Only the line's owner files (the recipient for a gift); a giver may
      only ask about delivery. Nobody is asked for proof.
    - Nobody files about a gift still a surprise to them: the recipient
      gets ``NotYourLine`` until it is revealed (``check_may_file``).
    - One case per form submission: the same ``submission_key`` again (a
      double click, at the same moment or later) returns the case it filed,
      even one already resolved by its remedy, so nothing is sent twice.
      The key is unique per customer; a twin filing at the same moment
      waits on that index and returns the first one's case (and call).
    - One open case per customer, line and problem: filing again returns
      the open case unchanged.
    - The call is booked in the case's own transaction, under the rules of
      ``callbacks.services.schedule_callback`` (one call, the hourly
      budgets, opening hours), and the customer's request for it is an
      internal timeline entry carrying the key, as ``ask_for_call`` writes
      it. A refused call files the case without it: ``Filing.call_refused``
      says why. The call is rung after commit.
    - The automatic decision (a replacement for a missing item, documents,
      a refund or replacement the customer chose, or handing over to an
      agent and why) is written on the timeline: handing over with the
      case, a remedy after the case commits (it may talk to the payment
      provider). A case with its call booked is never resolved by it
      (``_set_status``): the agent on the call does.
    - The case's entries written together (filed, the call asked for,
      handed to an agent) are one insert.
    """
    is_gift = check_may_file(customer=customer, order_line=order_line, problem=problem)
    filed, existing = selectors.case_sent_or_open(
        customer=customer,
        submission_key=submission_key,
        order_line=order_line,
        problem=problem,
    )
    if filed is not None:
        return Filing(filed, Filing.Outcome.SENT_BEFORE)
    if existing is not None:
        return Filing(existing, Filing.Outcome.ALREADY_OPEN)
    if not 1 <= quantity <= order_line.quantity:
        raise SupportError(
            _("Choose between 1 and %(count)d.") % {"count": order_line.quantity}
        )
    description = description.strip()
    if problem == Problem.OTHER and not description:
        raise SupportError(_("Tell us in a few words what happened."))
    first_response, _resolution = selectors.sla_targets(problem)
    call_refused = ""
    try:
        with transaction.atomic():
            try:
                (case,) = rows.insert(
                    [
                        Case(
                            customer=customer,
                            order=order_line.order,
                            order_line=order_line,
                            is_gift=is_gift,
                            problem=problem,
                            quantity=quantity,
                            description=description,
                            contact=contact,
                            remedy=remedy,
                            first_response_due_at=timezone.now() + first_response,
                            submission_key=submission_key,
                        )
                    ]
                )
            except IntegrityError as error:
                raise _TwinFiled from error
            events = [
                _unsaved_event(case, Kind.FILED, actor=customer, body=description)
            ]
            callback = None
            if call_to is not None:
                try:
                    # The row inserted just now is locked until commit.
                    callback = calls.book_call(
                        case=case,
                        number=call_to,
                        later=contact == Case.Contact.CALL_LATER,
                        language=language,
                        case_is_new=True,
                    )
                except CallbackError as error:
                    call_refused = error.message
                else:
                    events.append(
                        _call_asked_entry(
                            case,
                            customer=customer,
                            callback=callback,
                            submission_key=submission_key,
                        )
                    )
            decided_here = _agent_decides(case)
            if decided_here is not None:
                why, facts = decided_here
                events += _handed_to_agent(case, why, **facts)
            if callback is not None:
                # The call's booking on the timeline, with the case: its
                # announcement after commit (with_subject) writes nothing.
                events += calls.call_change_entries(
                    case_id=case.pk,
                    callback=callback,
                    new_state=callback.state,
                    detail="",
                )
            _events(events)
    except _TwinFiled:
        # A double submit lost the race to its twin: show the case it made.
        twins = selectors.case_for_submission(
            customer=customer, submission_key=submission_key
        ) or selectors.open_case_for(
            customer=customer, order_line=order_line, problem=problem
        )
        return Filing(twins, Filing.Outcome.FILED)
    if decided_here is None:
        case = _remedy(case)
    return Filing(case, Filing.Outcome.FILED, call_refused)


def _agent_decides(case: Case) -> tuple[str, dict] | None:
    """The automatic decision when it is to leave the case to an agent:
    why, and the facts that sentence names; written with the case, in its
    transaction. None when a remedy is tried instead (``_remedy``)."""
    value = case.value
    if case.problem == Problem.MISSING_ITEM:
        if value > settings.SUPPORT_NO_PROOF_MAX_VALUE:
            return messages.ABOVE_NO_PROOF_LIMIT, {}
        used = selectors.no_proof_reships_this_year(customer=case.customer)
        if used >= settings.SUPPORT_NO_PROOF_RESHIPS_PER_YEAR:
            return messages.NO_PROOF_RESHIPS_USED, {"count": used}
        return None
    if case.problem in (Problem.DAMAGED, Problem.DEFECTIVE, Problem.WRONG_ITEM):
        if not case.remedy:
            return messages.REMEDY_LEFT_TO_US, {}
        if value > settings.SUPPORT_SELF_SERVICE_MAX_VALUE:
            return messages.ABOVE_SELF_SERVICE_LIMIT, {}
        return None
    if case.problem in (Problem.MISSING_DOCUMENTS, Problem.NOT_DELIVERED):
        return None
    return messages.NEEDS_A_PERSON, {}


def _remedy(case: Case) -> Case:
    """Put things right where ``_agent_decides`` left it to policy, after
    the case commits (a refund talks to the payment provider), or hand over
    when that fails; return the case as it stands after (the remedies
    change it under their own lock, on a copy)."""
    if case.problem == Problem.MISSING_ITEM:
        _replace_or_hand_over(case, actor=None)
    elif case.problem == Problem.MISSING_DOCUMENTS:
        _send_documents(case)
    elif case.problem == Problem.NOT_DELIVERED:
        _check_delivery(case)
    elif case.remedy == Case.Remedy.REFUND:
        _refund(case, actor=None)
    else:
        _replace_or_hand_over(case, actor=None)
    case.refresh_from_db()
    return case


def _check_delivery(case: Case) -> None:
    shipments = list(
        case.order.shipments.filter(lines__order_line=case.order_line).order_by("-pk")
    )
    shipped = next((s for s in shipments if s.shipped_at), None)
    if shipped is None:
        return _hand_to_agent(case, messages.NOT_SHIPPED_YET)
    if shipped.status == Shipment.Status.DELIVERED:
        return _hand_to_agent(case, messages.CARRIER_SAYS_DELIVERED)
    window_ends = shipped.shipped_at + datetime.timedelta(
        days=settings.SUPPORT_CARRIER_WINDOW_DAYS
    )
    if timezone.now() >= window_ends:
        return _hand_to_agent(case, messages.PAST_CARRIER_WINDOW)
    with transaction.atomic():
        _event(
            case,
            Kind.DECISION,
            actor=None,
            message=messages.ON_ITS_WAY_WITH_CARRIER,
            params=messages.params_for(
                carrier=shipped.carrier,
                tracking=shipped.tracking_number,
                date=shipped.estimated_delivery,
                window=timezone.localdate(window_ends),
            ),
        )
        _set_status(case, Status.WAITING_FOR_CUSTOMER)
