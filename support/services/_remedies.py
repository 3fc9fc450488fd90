"""Putting things right: a replacement, the printed documents, a refund, or
handing the case to an agent. Both the automatic decision on filing
(``filing``) and the agents' buttons (``agent``) send remedies through here,
so each goes out, and is written on the timeline, in one way."""

from django.db import transaction
from django.utils.translation import gettext as _

from shop import services as shop_services
from shop.exceptions import OutOfStock, PaymentError, RefundNotAllowed
from shop.models import Product, Refund, Shipment, User
from support import messages, selectors
from support.exceptions import CaseClosed, SupportError
from support.models import Case, CaseEvent
from support.services._common import (
    Kind,
    Status,
    _event,
    _events,
    _in_customer_language,
    _locked,
    _set_status,
    _unsaved_event,
)


def _hand_to_agent(case: Case, why: str, **facts) -> None:
    """An automatic decision left to an agent: why, for staff (``why``, a
    sentence of ``support.messages`` naming ``facts``), and that an agent
    will look, for the customer. Both in one insert."""
    _events(_handed_to_agent(case, why, **facts))


def _handed_to_agent(case: Case, why: str, **facts) -> list[CaseEvent]:
    """``_hand_to_agent``'s two entries, not yet written."""
    return [
        _unsaved_event(
            case,
            Kind.DECISION,
            actor=None,
            public=False,
            message=why,
            params=messages.params_for(**facts),
        ),
        _unsaved_event(
            case, Kind.DECISION, actor=None, message=messages.AGENT_WILL_LOOK
        ),
    ]


def _replace_or_hand_over(case: Case, *, actor: User | None) -> None:
    try:
        _replace(case, actor=actor)
    except OutOfStock:
        _hand_to_agent(case, messages.SOLD_OUT)


def _replace(case: Case, *, actor: User | None, submission_key: str = "") -> Shipment:
    with transaction.atomic():
        case = _locked(case)  # before the order's lock, as everywhere
        shipment = shop_services.create_replacement_shipment(
            order_line=case.order_line,
            quantity=case.quantity,
            actor=actor,
            note=_("Case %(id)s") % {"id": case.pk},
        )
        said = messages.REPLACEMENT_ON_ITS_WAY
        params = messages.params_for(
            count=case.quantity, date=shipment.estimated_delivery
        )
        _event(
            case,
            Kind.REPLACEMENT,
            actor=actor,
            submission_key=submission_key,
            message=said,
            params=params,
        )
        _set_status(case, Status.RESOLVED)
    return shipment


def _send_documents(case: Case) -> None:
    """Post again the printed papers the product ships with, and promise
    exactly those: the manual, the warranty card, or both, as the product
    declares (``Product.documents``). A product that ships with neither has
    nothing to post: an agent reads what the customer is missing, and the
    customer is told so plainly."""
    product = case.order_line.product
    if product.documents == Product.Documents.NONE:
        return _no_documents_to_send(case, product)
    with transaction.atomic():
        case = _locked(case)  # before the order's lock, as everywhere
        # The parcel's note is on the customer's order page and shipping
        # email: in their language, naming what the timeline names.
        with _in_customer_language(case):
            papers = _documents_label(product)
            note = _("%(documents)s: %(item)s") % {
                "documents": papers,
                "item": case.order_line.display_name,
            }
        shipment = shop_services.create_documents_shipment(
            order_line=case.order_line, actor=None, note=note
        )
        _event(
            case,
            Kind.DOCUMENTS,
            actor=None,
            message=messages.DOCUMENTS_ON_THEIR_WAY,
            params=messages.params_for(
                documents=product.documents,
                date=shipment.estimated_delivery,
                url=product.manual_url or None,
            ),
        )
        _set_status(case, Status.RESOLVED)


def _documents_label(product: Product) -> str:
    """What a documents parcel holds, as its note names it."""
    return {
        Product.Documents.MANUAL: _("Printed manual"),
        Product.Documents.WARRANTY_CARD: _("Warranty card"),
        Product.Documents.BOTH: _("Printed manual and warranty card"),
    }[product.documents]


def _no_documents_to_send(case: Case, product: Product) -> None:
    with transaction.atomic():
        _event(
            case,
            Kind.DECISION,
            actor=None,
            public=False,
            message=messages.NO_DOCUMENTS_ASK_CUSTOMER,
        )
        _event(
            case,
            Kind.DECISION,
            actor=None,
            message=messages.NO_DOCUMENTS_TO_POST,
            params=messages.params_for(url=product.manual_url or None),
        )


def _refund(case: Case, *, actor: User | None, submission_key: str = "") -> None:
    """To the original payment for one's own order; to the recipient's store
    credit for a gift (the giver's payment is never touched). Once per case,
    and never more than the line cost, across all its cases and returns.

    A refund the payment provider refuses gives nothing back and leaves a
    decision on the case's timeline with the provider's reason: an agent's
    click then gets that reason as a ``SupportError`` (and again on a second
    click); an automatic refund hands the case to an agent instead."""
    line = case.order_line
    amount = case.value
    if case.is_givers_case:
        raise SupportError(_("Refund a gift from the recipient's case."))
    if case.status == Status.CLOSED:
        raise CaseClosed(_("Reopen the case first."))
    if case.is_gift:
        with transaction.atomic():
            case = _locked(case)
            if selectors.was_refunded(case):
                raise SupportError(_("This case has already been refunded."))
            if amount > line.subtotal - selectors.gift_line_refunded(order_line=line):
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
                case, actor, messages.ADDED_TO_STORE_CREDIT, amount, submission_key
            )
        return
    if selectors.was_refunded(case):
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
        reason = str(error.message)
        if actor is None:
            return _hand_to_agent(case, messages.REFUND_REFUSED, reason=reason)
        with transaction.atomic():
            refused = _event(
                _locked(case),
                Kind.DECISION,
                actor=actor,
                public=False,
                message=messages.REFUND_REFUSED,
                params=messages.params_for(reason=reason),
            )
        raise SupportError(refused.text) from None
    if refund.status == Refund.Status.FAILED:
        # Refused on an earlier click, which the timeline already shows.
        raise SupportError(
            _("The payment provider refused the refund: %(reason)s")
            % {"reason": refund.failure_message}
        )
    with transaction.atomic():
        case = _locked(case)
        if not selectors.was_refunded(case):
            _refunded(case, actor, messages.REFUNDED_TO_PAYMENT, amount, submission_key)


def _refunded(
    case: Case, actor: User | None, said: str, amount: int, submission_key: str = ""
) -> None:
    """``said`` is the sentence's id (``support.messages``)."""
    params = messages.params_for(amount=amount)
    _event(
        case,
        Kind.REFUND,
        actor=actor,
        submission_key=submission_key,
        message=said,
        params=params,
    )
    _set_status(case, Status.RESOLVED)
