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

from shop.models import OrderLine, Shipment, User
from support import messages, selectors
from support.exceptions import NotYourLine, SupportError
from support.models import Case
from support.services._common import (
    Kind,
    Problem,
    Status,
    _event,
    _set_status,
)
from support.services._remedies import (
    _hand_to_agent,
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
) -> Filing:
    """Open a case, then put things right at once where policy allows.

    Guarantees:
    - Only the line's owner files (the recipient for a gift); a giver may
      only ask about delivery. Nobody is asked for proof.
    - Nobody files about a gift still a surprise to them: the recipient
      gets ``NotYourLine`` until it is revealed (``check_may_file``).
    - One case per form submission: the same ``submission_key`` again (a
      double click, at the same moment or later) returns the case it filed,
      even one already resolved by its remedy, so nothing is sent twice.
      The key is unique per customer; a twin filing at the same moment
      waits on that index and returns the first one's case.
    - One open case per customer, line and problem: filing again returns
      the open case unchanged.
    - The automatic decision (a replacement for a missing item, documents,
      a refund or replacement the customer chose, or handing over to an
      agent and why) is written on the timeline.
    """
    is_gift = check_may_file(customer=customer, order_line=order_line, problem=problem)
    filed = selectors.case_for_submission(
        customer=customer, submission_key=submission_key
    )
    if filed is not None:
        return Filing(filed, Filing.Outcome.SENT_BEFORE)
    existing = selectors.open_case_for(
        customer=customer, order_line=order_line, problem=problem
    )
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
    try:
        with transaction.atomic():
            case = Case.objects.create(
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
            _event(case, Kind.FILED, actor=customer, body=description)
    except IntegrityError:
        # A double submit lost the race to its twin: show the case it made.
        twins = selectors.case_for_submission(
            customer=customer, submission_key=submission_key
        ) or selectors.open_case_for(
            customer=customer, order_line=order_line, problem=problem
        )
        return Filing(twins, Filing.Outcome.FILED)
    _decide(case)
    case.refresh_from_db()
    return Filing(case, Filing.Outcome.FILED)


def _decide(case: Case) -> None:
    value = case.value
    if case.problem == Problem.MISSING_ITEM:
        if value > settings.SUPPORT_NO_PROOF_MAX_VALUE:
            return _hand_to_agent(case, messages.ABOVE_NO_PROOF_LIMIT)
        used = selectors.no_proof_reships_this_year(customer=case.customer)
        if used >= settings.SUPPORT_NO_PROOF_RESHIPS_PER_YEAR:
            return _hand_to_agent(case, messages.NO_PROOF_RESHIPS_USED, count=used)
        return _replace_or_hand_over(case, actor=None)
    if case.problem == Problem.MISSING_DOCUMENTS:
        return _send_documents(case)
    if case.problem in (Problem.DAMAGED, Problem.DEFECTIVE, Problem.WRONG_ITEM):
        if not case.remedy:
            return _hand_to_agent(case, messages.REMEDY_LEFT_TO_US)
        if value > settings.SUPPORT_SELF_SERVICE_MAX_VALUE:
            return _hand_to_agent(case, messages.ABOVE_SELF_SERVICE_LIMIT)
        if case.remedy == Case.Remedy.REFUND:
            return _refund(case, actor=None)
        return _replace_or_hand_over(case, actor=None)
    if case.problem == Problem.NOT_DELIVERED:
        return _check_delivery(case)
    return _hand_to_agent(case, messages.NEEDS_A_PERSON)


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
