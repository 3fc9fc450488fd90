"""Filing cases, putting things right, and agents' actions.

Every change writes a timeline event in the same transaction. Money and
parcels go through the shop's services; emails leave after commit.

Sent twice, a form acts once: each customer or agent action takes the
form's submission key (``shop.submissions``) and stores it on the case (when
filing) or on the timeline entry it writes, unique per case. It locks the
case's row first, so a twin sent at the same moment waits, then finds the
first one's entry and returns its result instead of acting again.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callbacks import services as callback_services
from callbacks.exceptions import TooLateToChange
from callbacks.models import CallbackRequest
from gifts.models import GiftReturn
from gifts.selectors import line_hidden_from, line_owner
from shop import services as shop_services
from shop.exceptions import OutOfStock, PaymentError, RefundNotAllowed
from shop.models import OrderLine, Refund, Shipment, User
from shop.pricing import format_money
from support import calls, selectors
from support.exceptions import CaseClosed, NotYourLine, SupportError
from support.models import Case, CaseEvent
from support.tasks import notify_agent, send_case_reply

Problem = Case.Problem
Status = Case.Status
Kind = CaseEvent.Kind


def _event(
    case: Case,
    kind: str,
    *,
    actor: User | None,
    body: str = "",
    public: bool = True,
    submission_key: str = "",
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        body=body,
        is_public=public,
        submission_key=submission_key,
    )


def _earlier(case: Case, submission_key: str) -> CaseEvent | None:
    """The entry this form submission already wrote on ``case``, if it was
    sent before. Callers hold the case's lock, so a twin sent at the same
    moment has either committed its entry or not started."""
    if not submission_key:
        return None
    return case.events.filter(submission_key=submission_key).first()


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
    case.resolved_at = timezone.now() if status == Status.RESOLVED else None
    case.save(update_fields=["status", "resolved_at", "updated_at"])


def check_may_file(*, customer: User, order_line: OrderLine, problem: str) -> bool:
    """May ``customer`` file this problem about this line? Returns whether
    the line is a gift. The line's owner may file anything; a giver only
    "not delivered" about the gift they sent. Raises ``NotYourLine``, also
    to a recipient for a gift still a surprise (as if it were not theirs:
    the refusal must not confirm what it is)."""
    if line_hidden_from(order_line=order_line, viewer=customer):
        raise NotYourLine()
    owner = line_owner(order_line=order_line)
    is_gift = owner.pk != order_line.order.buyer_id
    if owner.pk == customer.pk:
        return is_gift
    if is_gift and order_line.order.buyer_id == customer.pk:
        if problem == Problem.NOT_DELIVERED:
            return True
        raise SupportError(
            _(
                "This gift belongs to the person you gave it to: only they can "
                "report a problem with it. You can ask where it is."
            )
        )
    raise NotYourLine()


def open_case_for(
    *, customer: User, order_line: OrderLine, problem: str
) -> Case | None:
    return Case.objects.filter(
        customer=customer,
        order_line=order_line,
        problem=problem,
        status__in=Case.OPEN_STATUSES,
    ).first()


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
        return filed
    existing = open_case_for(customer=customer, order_line=order_line, problem=problem)
    if existing is not None:
        return existing
    if not 1 <= quantity <= order_line.quantity:
        raise SupportError(
            _("Choose between 1 and %(count)d.") % {"count": order_line.quantity}
        )
    description = description.strip()
    if problem == Problem.OTHER and not description:
        raise SupportError(_("Tell us in a few words what happened."))
    hours = settings.SUPPORT_FIRST_RESPONSE_HOURS.get(problem, 24)
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
                first_response_due_at=timezone.now() + datetime.timedelta(hours=hours),
                submission_key=submission_key,
            )
            _event(case, Kind.FILED, actor=customer, body=description)
    except IntegrityError:
        # A double submit lost the race to its twin: show the case it made.
        return selectors.case_for_submission(
            customer=customer, submission_key=submission_key
        ) or open_case_for(customer=customer, order_line=order_line, problem=problem)
    _decide(case)
    case.refresh_from_db()
    return case


# --- Automatic decisions ----------------------------------------------------


def _hand_to_agent(case: Case, reason: str) -> None:
    with transaction.atomic():
        _event(case, Kind.DECISION, actor=None, body=reason, public=False)
        with _in_customer_language(case):
            body = _("An agent will look at this and get back to you.")
        _event(case, Kind.DECISION, actor=None, body=body)


def _no_proof_reships_this_year(customer: User) -> int:
    since = timezone.now() - datetime.timedelta(days=365)
    return (
        Case.objects.filter(
            customer=customer,
            problem=Problem.MISSING_ITEM,
            created_at__gte=since,
            events__kind=Kind.REPLACEMENT,
            events__actor__isnull=True,
        )
        .distinct()
        .count()
    )


def _decide(case: Case) -> None:
    line = case.order_line
    value = line.unit_price * case.quantity
    if case.problem == Problem.MISSING_ITEM:
        if value > settings.SUPPORT_NO_PROOF_MAX_VALUE:
            return _hand_to_agent(case, _("Above the no-proof value limit."))
        used = _no_proof_reships_this_year(case.customer)
        if used >= settings.SUPPORT_NO_PROOF_RESHIPS_PER_YEAR:
            return _hand_to_agent(
                case,
                _("%(count)d no-proof reships in 12 months already.") % {"count": used},
            )
        return _replace_or_hand_over(case, actor=None)
    if case.problem == Problem.MISSING_DOCUMENTS:
        return _send_documents(case)
    if case.problem in (Problem.DAMAGED, Problem.DEFECTIVE, Problem.WRONG_ITEM):
        if not case.remedy:
            return _hand_to_agent(case, _("The customer left the remedy to us."))
        if value > settings.SUPPORT_SELF_SERVICE_MAX_VALUE:
            return _hand_to_agent(case, _("Above the self-service value limit."))
        if case.remedy == Case.Remedy.REFUND:
            return _refund(case, actor=None)
        return _replace_or_hand_over(case, actor=None)
    if case.problem == Problem.NOT_DELIVERED:
        return _check_delivery(case)
    return _hand_to_agent(case, _("Needs a person to read it."))


def _replace_or_hand_over(case: Case, *, actor: User | None) -> None:
    try:
        _replace(case, actor=actor)
    except OutOfStock as error:
        _hand_to_agent(case, str(error.message))


def _replace(case: Case, *, actor: User | None, submission_key: str = "") -> Shipment:
    with transaction.atomic():
        case = _locked(case)  # before the order's lock, as everywhere
        shipment = shop_services.create_replacement_shipment(
            order_line=case.order_line,
            quantity=case.quantity,
            actor=actor,
            note=_("Case %(id)s") % {"id": case.pk},
        )
        with _in_customer_language(case):
            body = _(
                "A replacement of %(count)d × %(item)s is on its way, expected "
                "by %(date)s. No need to send anything back."
            ) % {
                "count": case.quantity,
                "item": case.order_line.display_name,
                "date": _date(shipment.estimated_delivery),
            }
        _event(
            case,
            Kind.REPLACEMENT,
            actor=actor,
            body=body,
            submission_key=submission_key,
        )
        _set_status(case, Status.RESOLVED)
    return shipment


def _send_documents(case: Case) -> None:
    product = case.order_line.product
    with transaction.atomic():
        case = _locked(case)  # before the order's lock, as everywhere
        shipment = shop_services.create_documents_shipment(
            order_line=case.order_line,
            actor=None,
            note=_("Printed manual and warranty card: %(item)s")
            % {"item": case.order_line.name},
        )
        with _in_customer_language(case):
            body = _(
                "We are posting the printed manual and warranty card, expected by "
                "%(date)s."
            ) % {"date": _date(shipment.estimated_delivery)}
            if product.manual_url:
                body += " " + _("The manual is also online: %(url)s") % {
                    "url": product.manual_url
                }
        _event(case, Kind.DOCUMENTS, actor=None, body=body)
        _set_status(case, Status.RESOLVED)


def _gift_line_refunded(case: Case) -> int:
    """What the recipient already got back for this gift line: refunds on
    any of its cases and credited returns."""
    refunded_cases = Case.objects.filter(
        order_line=case.order_line, events__kind=Kind.REFUND
    ).distinct()
    from_cases = sum(c.quantity for c in refunded_cases) * case.order_line.unit_price
    from_returns = sum(
        r.amount
        for r in GiftReturn.objects.filter(
            gift_line__order_line=case.order_line, status=GiftReturn.Status.CREDITED
        ).select_related("gift_line__order_line")
    )
    return from_cases + from_returns


def _refund(case: Case, *, actor: User | None, submission_key: str = "") -> None:
    """To the original payment for one's own order; to the recipient's store
    credit for a gift (the giver's payment is never touched). Once per case,
    and never more than the line cost, across all its cases and returns.

    A refund the payment provider refuses gives nothing back and leaves a
    decision on the case's timeline with the provider's reason: an agent's
    click then gets that reason as a ``SupportError`` (and again on a second
    click); an automatic refund hands the case to an agent instead."""
    line = case.order_line
    amount = line.unit_price * case.quantity
    if case.is_gift and case.customer_id == case.order.buyer_id:
        raise SupportError(_("Refund a gift from the recipient's case."))
    if case.status == Status.CLOSED:
        raise CaseClosed(_("Reopen the case first."))
    if case.is_gift:
        with transaction.atomic():
            case = _locked(case)
            if case.events.filter(kind=Kind.REFUND).exists():
                raise SupportError(_("This case has already been refunded."))
            if amount > line.subtotal - _gift_line_refunded(case):
                raise SupportError(
                    _("This item has already been refunded as far as it can be.")
                )
            shop_services.issue_store_credit(
                user=case.customer,
                amount=amount,
                reason=_("Case %(id)s: %(item)s") % {"id": case.pk, "item": line.name},
                actor=actor,
                reference=f"case-{case.pk}-refund",
            )
            _refunded(
                case,
                actor,
                gettext_lazy("%(amount)s was added to your store credit."),
                amount,
                submission_key,
            )
        return
    if case.events.filter(kind=Kind.REFUND).exists():
        raise SupportError(_("This case has already been refunded."))
    try:
        # Idempotent by reference: a double click refunds the money once.
        refund = shop_services.refund_order_line(
            order_line=line,
            quantity=case.quantity,
            actor=actor,
            reference=f"case-{case.pk}",
            reason=_("Case %(id)s") % {"id": case.pk},
        )
    except RefundNotAllowed as error:
        raise SupportError(error.message) from None
    except PaymentError as error:
        # The provider refused: nothing went back. The case says so, for
        # the agents; an automatic refund goes to an agent instead.
        refused = _("The payment provider refused the refund: %(reason)s") % {
            "reason": error.message
        }
        if actor is None:
            return _hand_to_agent(case, refused)
        with transaction.atomic():
            _event(
                _locked(case), Kind.DECISION, actor=actor, body=refused, public=False
            )
        raise SupportError(refused) from None
    if refund.status == Refund.Status.FAILED:
        # Refused on an earlier click, which the timeline already shows.
        raise SupportError(
            _("The payment provider refused the refund: %(reason)s")
            % {"reason": refund.failure_message}
        )
    with transaction.atomic():
        case = _locked(case)
        if not case.events.filter(kind=Kind.REFUND).exists():
            _refunded(
                case,
                actor,
                gettext_lazy("%(amount)s is being refunded to your original payment."),
                amount,
                submission_key,
            )


def _refunded(
    case: Case, actor: User | None, message, amount: int, submission_key: str = ""
) -> None:
    """``message`` is lazy: it is put in the customer's language here."""
    with _in_customer_language(case):
        body = message % {"amount": format_money(amount)}
    _event(case, Kind.REFUND, actor=actor, body=body, submission_key=submission_key)
    _set_status(case, Status.RESOLVED)


def _check_delivery(case: Case) -> None:
    shipments = list(
        case.order.shipments.filter(lines__order_line=case.order_line).order_by("-pk")
    )
    shipped = next((s for s in shipments if s.shipped_at), None)
    if shipped is None:
        return _hand_to_agent(case, _("Not shipped yet."))
    if shipped.status == Shipment.Status.DELIVERED:
        return _hand_to_agent(case, _("The carrier reports it delivered."))
    window_ends = shipped.shipped_at + datetime.timedelta(
        days=settings.SUPPORT_CARRIER_WINDOW_DAYS
    )
    if timezone.now() >= window_ends:
        return _hand_to_agent(case, _("Past the carrier's delivery window."))
    with _in_customer_language(case):
        body = _(
            "It's on its way with %(carrier)s (tracking %(tracking)s), expected "
            "by %(date)s. If it hasn't arrived by %(window)s, reply here and we "
            "will send another or refund it."
        ) % {
            "carrier": shipped.carrier,
            "tracking": shipped.tracking_number or "—",
            "date": _date(shipped.estimated_delivery)
            if shipped.estimated_delivery
            else "—",
            "window": _date(timezone.localdate(window_ends)),
        }
    with transaction.atomic():
        _event(case, Kind.DECISION, actor=None, body=body)
        _set_status(case, Status.WAITING_FOR_CUSTOMER)


# --- The customer -----------------------------------------------------------


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
      moment (a double click on "call me now", or "Get help" sent twice)
      are served one after the other; ``callbacks`` keeps one active call
      per case and moves a booked one rather than adding a second.
    - Once per submission: the same form again returns the call it asked
      for and changes nothing (the request is an internal timeline entry
      carrying the key).
    - A resolved case opens again, as when the customer writes: someone
      will be on the line with them, and a case is never shown as sorted
      while its call is booked. That includes a case resolved by its
      remedy a moment before, in the same "Get help" request (documents
      posted, then "call me now"): the customer asked to talk to someone,
      so the parcel goes and the call is kept; the agent on the call
      resolves it after.
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
        body = _("The customer asked to be called at %(time)s.") % {
            "time": time_format(timezone.localtime(callback.due_at))
        }
        _event(
            case,
            Kind.CALL,
            actor=customer,
            body=body,
            public=False,
            submission_key=submission_key,
        )
    return callback


def _reopen_for_the_customer(case: Case) -> None:
    other = open_case_for(
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
        body=_("The customer cancelled the call."),
        public=False,
        submission_key=submission_key,
    )
    return callback


# --- Agents -----------------------------------------------------------------

AGENT_ACTIONS = (
    "assign", "reply", "note", "reship", "refund", "credit", "resolve", "close",
    "reopen",
)  # fmt: skip
# Actions that send goods or money: the admin asks to confirm them.
MOVES_MONEY_OR_GOODS = ("reship", "refund", "credit")

ON_THE_PHONE = gettext_lazy(
    "The customer is on the phone right now: resolve or close the case when "
    "the call has ended."
)


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update()
        .select_related("order", "order_line")
        .get(pk=case.pk)
    )


def why_not(*, case: Case, action: str) -> str | None:
    """Why ``case``'s state refuses the agent ``action``, or None if it
    allows it. The one place for these rules; ``allowed_actions`` (the
    buttons the admin offers) and every agent verb read them here.

    - A closed case takes only notes until it is reopened.
    - Reship, refund and store credit only on an open case: a resolved
      case is reopened first, so a second remedy is a decision, never a
      stray click.
    - A gift is reshipped or refunded from its recipient's case only.
    - A case is refunded once.
    - Resolve and close wait while the customer is on the phone.
    - Only a resolved or closed case can be reopened.
    """
    if action not in AGENT_ACTIONS:
        return _("That can't be done with this case.")
    if action == "note":
        return None
    if action == "reopen":
        return _("This case is already open.") if case.is_open else None
    if case.status == Status.CLOSED:
        if action == "close":
            return _("This case is already closed.")
        return _("This case is closed: reopen it first.")
    if action in ("reship", "refund") and (
        case.is_gift and case.customer_id == case.order.buyer_id
    ):
        if action == "reship":
            return _("Reship a gift from the recipient's case.")
        return _("Refund a gift from the recipient's case.")
    if action == "refund" and case.events.filter(kind=Kind.REFUND).exists():
        return _("This case has already been refunded.")
    if action in MOVES_MONEY_OR_GOODS and not case.is_open:
        return _(
            "This case is resolved: reopen it before you reship, refund or give credit."
        )
    if action == "resolve" and case.status == Status.RESOLVED:
        return _("This case is already resolved.")
    if action in ("resolve", "close"):
        call = calls.active_call(case)
        if call is not None and call.state != CallbackRequest.State.SCHEDULED:
            return str(ON_THE_PHONE)
    return None


def allowed_actions(*, case: Case, actor: User | None = None) -> frozenset[str]:
    """The agent actions ``case``'s state allows (``why_not``): the admin
    offers only these. "assign" is left out for the agent who has it."""
    allowed = {a for a in AGENT_ACTIONS if why_not(case=case, action=a) is None}
    if actor is not None and case.assigned_to_id == actor.pk:
        allowed.discard("assign")
    return frozenset(allowed)


def _check_allowed(case: Case, action: str) -> None:
    reason = why_not(case=case, action=action)
    if reason is not None:
        raise SupportError(reason)


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


@transaction.atomic
def reply(*, case: Case, actor: User, body: str, submission_key: str = "") -> CaseEvent:
    """A reply the customer sees and is emailed; it is the first response
    if none came before.

    Guarantees: once per submission (the same form twice sends one reply
    and one email, and returns it); not on a closed case.
    """
    case = _locked(case)
    earlier = _earlier(case, submission_key)
    if earlier is not None:
        return earlier
    _check_allowed(case, "reply")
    body = body.strip()
    if not body:
        raise SupportError(_("Write a reply to send."))
    event = _event(
        case, Kind.REPLY, actor=actor, body=body, submission_key=submission_key
    )
    if case.first_responded_at is None:
        case.first_responded_at = timezone.now()
        case.save(update_fields=["first_responded_at"])
    if case.status in (Status.NEW, Status.WAITING_FOR_AGENT):
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
                return _replacement_sent_with(earlier)
            _check_allowed(case, "reship")
            return _replace(case, actor=actor, submission_key=submission_key)
    except OutOfStock as error:
        raise SupportError(error.message) from None


def _replacement_sent_with(event: CaseEvent) -> Shipment | None:
    """The parcel made in the same transaction as ``event`` (just before)."""
    return (
        Shipment.objects.filter(
            order_id=event.case.order_id,
            reason=Shipment.Reason.REPLACEMENT,
            lines__order_line_id=event.case.order_line_id,
            created_at__lte=event.created_at,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


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
    with _in_customer_language(case):
        body = _("%(amount)s was added to your store credit.") % {
            "amount": format_money(amount)
        }
    return _event(
        case, Kind.STORE_CREDIT, actor=actor, body=body, submission_key=submission_key
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
        body = message % {"time": time_format(timezone.localtime(callback.due_at))}
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
    return case


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
    if open_case_for(
        customer=case.customer, order_line=case.order_line, problem=case.problem
    ):
        raise SupportError(_("Another case for this item and problem is already open."))
    _event(case, Kind.REOPENED, actor=actor, submission_key=submission_key)
    _set_status(case, Status.WAITING_FOR_AGENT)
    return case
