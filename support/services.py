"""Filing cases, putting things right, and agents' actions.

Every change writes a timeline event in the same transaction. Money and
parcels go through the shop's services; emails leave after commit.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gifts.models import GiftReturn
from gifts.selectors import line_owner
from shop import services as shop_services
from shop.exceptions import OutOfStock, PaymentError, RefundNotAllowed
from shop.models import OrderLine, Refund, Shipment, User
from shop.pricing import format_money
from support.exceptions import CaseClosed, NotYourLine, SupportError
from support.models import Case, CaseEvent
from support.tasks import notify_agent, send_case_reply

Problem = Case.Problem
Status = Case.Status
Kind = CaseEvent.Kind


def _event(
    case: Case, kind: str, *, actor: User | None, body: str = "", public: bool = True
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, body=body, is_public=public
    )


def _in_customer_language(case: Case) -> translation.override:
    """What the customer reads on their timeline is in their language, also
    when an agent (in the admin) or a worker writes it."""
    return translation.override(case.customer.language or translation.get_language())


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _set_status(case: Case, status: str) -> None:
    case.status = status
    case.resolved_at = timezone.now() if status == Status.RESOLVED else None
    case.save(update_fields=["status", "resolved_at", "updated_at"])


def check_may_file(*, customer: User, order_line: OrderLine, problem: str) -> bool:
    """May ``customer`` file this problem about this line? Returns whether
    the line is a gift. The line's owner may file anything; a giver only
    "not delivered" about the gift they sent. Raises ``NotYourLine``."""
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
) -> Case:
    """Open a case, then put things right at once where policy allows.

    Guarantees:
    - Only the line's owner files (the recipient for a gift); a giver may
      only ask about delivery. Nobody is asked for proof.
    - One open case per customer, line and problem: filing again returns
      the open case unchanged.
    - The automatic decision (a replacement for a missing item, documents,
      a refund or replacement the customer chose, or handing over to an
      agent and why) is written on the timeline.
    """
    is_gift = check_may_file(customer=customer, order_line=order_line, problem=problem)
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
            )
            _event(case, Kind.FILED, actor=customer, body=description)
    except IntegrityError:
        # A double submit lost the race to its twin: show the case it made.
        return open_case_for(customer=customer, order_line=order_line, problem=problem)
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


def _replace(case: Case, *, actor: User | None) -> Shipment:
    with transaction.atomic():
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
        _event(case, Kind.REPLACEMENT, actor=actor, body=body)
        _set_status(case, Status.RESOLVED)
    return shipment


def _send_documents(case: Case) -> None:
    product = case.order_line.product
    with transaction.atomic():
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


def _refund(case: Case, *, actor: User | None) -> None:
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
            )


def _refunded(case: Case, actor: User | None, message, amount: int) -> None:
    """``message`` is lazy: it is put in the customer's language here."""
    with _in_customer_language(case):
        body = message % {"amount": format_money(amount)}
    _event(case, Kind.REFUND, actor=actor, body=body)
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


@transaction.atomic
def post_customer_message(*, case: Case, customer: User, body: str) -> CaseEvent:
    """The customer writes on their case; a resolved case opens again."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.customer_id != customer.pk:
        raise NotYourLine()
    if case.status == Status.CLOSED:
        raise CaseClosed()
    body = body.strip()
    if not body:
        raise SupportError(_("Write a message to send."))
    event = _event(case, Kind.CUSTOMER_MESSAGE, actor=customer, body=body)
    if case.status != Status.NEW:
        _set_status(case, Status.WAITING_FOR_AGENT)
    if case.assigned_to_id:
        transaction.on_commit(lambda: notify_agent.delay(event_id=event.pk))
    return event


# --- Agents -----------------------------------------------------------------


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("order_line").get(pk=case.pk)


@transaction.atomic
def assign_case(*, case: Case, agent: User, actor: User) -> Case:
    case = _locked(case)
    if case.assigned_to_id == agent.pk:
        return case
    case.assigned_to = agent
    case.save(update_fields=["assigned_to", "updated_at"])
    _event(case, Kind.ASSIGNED, actor=actor, body=str(agent), public=False)
    return case


@transaction.atomic
def reply(*, case: Case, actor: User, body: str) -> CaseEvent:
    """A reply the customer sees and is emailed; it is the first response
    if none came before."""
    case = _locked(case)
    body = body.strip()
    if not body:
        raise SupportError(_("Write a reply to send."))
    event = _event(case, Kind.REPLY, actor=actor, body=body)
    if case.first_responded_at is None:
        case.first_responded_at = timezone.now()
        case.save(update_fields=["first_responded_at"])
    if case.status in (Status.NEW, Status.WAITING_FOR_AGENT):
        _set_status(case, Status.WAITING_FOR_CUSTOMER)
    transaction.on_commit(lambda: send_case_reply.delay(event_id=event.pk))
    return event


@transaction.atomic
def add_note(*, case: Case, actor: User, body: str) -> CaseEvent:
    body = body.strip()
    if not body:
        raise SupportError(_("Write a note to save."))
    return _event(_locked(case), Kind.NOTE, actor=actor, body=body, public=False)


def reship(*, case: Case, actor: User) -> Shipment:
    """Send the item again; says why if it is out of stock."""
    if case.is_gift and case.customer_id == case.order.buyer_id:
        raise SupportError(_("Reship a gift from the recipient's case."))
    if case.status == Status.CLOSED:
        raise CaseClosed(_("Reopen the case first."))
    try:
        return _replace(case, actor=actor)
    except OutOfStock as error:
        raise SupportError(error.message) from None


def refund(*, case: Case, actor: User) -> None:
    """Refund the case's units once; a second refund says it was done."""
    _refund(
        Case.objects.select_related("order", "order_line").get(pk=case.pk), actor=actor
    )


@transaction.atomic
def issue_credit(*, case: Case, actor: User, amount: int, reason: str) -> CaseEvent:
    """Goodwill store credit for the case's customer."""
    case = _locked(case)
    if amount <= 0:
        raise SupportError(_("Enter an amount above zero."))
    shop_services.issue_store_credit(
        user=case.customer,
        amount=amount,
        reason=reason or _("Case %(id)s") % {"id": case.pk},
        actor=actor,
    )
    with _in_customer_language(case):
        body = _("%(amount)s was added to your store credit.") % {
            "amount": format_money(amount)
        }
    return _event(case, Kind.STORE_CREDIT, actor=actor, body=body)


@transaction.atomic
def resolve(*, case: Case, actor: User) -> Case:
    case = _locked(case)
    if case.status == Status.RESOLVED:
        return case
    _event(case, Kind.RESOLVED, actor=actor)
    _set_status(case, Status.RESOLVED)
    return case


@transaction.atomic
def close(*, case: Case, actor: User) -> Case:
    case = _locked(case)
    if case.status == Status.CLOSED:
        return case
    _event(case, Kind.CLOSED, actor=actor)
    _set_status(case, Status.CLOSED)
    return case


@transaction.atomic
def reopen(*, case: Case, actor: User) -> Case:
    case = _locked(case)
    if case.is_open:
        return case
    if open_case_for(
        customer=case.customer, order_line=case.order_line, problem=case.problem
    ):
        raise SupportError(_("Another case for this item and problem is already open."))
    _event(case, Kind.REOPENED, actor=actor)
    _set_status(case, Status.WAITING_FOR_AGENT)
    return case
