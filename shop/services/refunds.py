"""Refunds of order lines, to the payments they came from."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from shop import payments
from shop.exceptions import PaymentError, RefundNotAllowed
from shop.models import Order, OrderEvent, OrderLine, Payment, Refund, RefundPart, User
from shop.selectors import refundable_amount, refundable_tenders

from .credit import issue_store_credit

logger = logging.getLogger(__name__)


def refund_order_line(
    *,
    order_line: OrderLine,
    quantity: int,
    actor: User | None,
    reference: str,
    reason: str,
    shipping: int = 0,
) -> Refund:
    """Give back ``quantity`` units' price to the payments the order was
    paid with, each no more than it paid; and ``shipping`` more, the
    order's shipping fee, when the whole order is given back because it
    will never ship (``closure.cancel_unshipped_order``).

    Guarantees:
    - Idempotent by ``reference``: asking again returns the first refund
      (also a failed one: it says why). Refunds of one order are serialised
      on the order's row.
    - Never more than the line cost (``RefundNotAllowed``), and never more
      to a tender than it paid, across all refunds not failed.
    - Tender order: the card first, up to what the card has left, then
      store credit. Checkout spends store credit first and charges the card
      the rest, so refunding in reverse leaves each tender as checkout
      would have split the smaller order: an order of 6,000 paid with 4,000
      of credit and 2,000 on the card, refunded 3,000, stands as a 3,000
      order would have been paid (all of it credit). It also gives the
      customer money back as money first, while the card can still take
      it (providers refuse refunds of old charges; credit has no deadline).
    - The refund and its parts (one per tender, ``RefundPart``) are written
      and committed ``pending`` before the provider is asked, so a crash in
      between leaves a visible pending refund rather than money sent with
      no record. The provider's refund carries a key made from our row
      (``refund-<id>``), so asking again never refunds twice.
    - A refund left ``pending`` (the provider did not answer, or a crash) is
      taken up again by asking with the same ``reference``: its parts go to
      the provider under the same keys, so nothing is refunded twice.
    - All or nothing: the store-credit part is issued only once the card's
      part succeeded. If the provider refuses (``PaymentError``), nothing is
      given back, the refund is ``failed`` with the provider's message, the
      order's timeline says so, and the error is raised for the caller to
      show.
    """
    with transaction.atomic():
        order = order_line.order
        # The order's row serialises refunds of its lines.
        type(order).objects.select_for_update().get(pk=order.pk)
        existing = Refund.objects.filter(reference=reference).first()
        if existing is None:
            refund, parts = _write(
                order, order_line, quantity, actor, reference, reason, shipping
            )
        elif existing.status == Refund.Status.PENDING:
            refund, parts = existing, list(existing.parts.select_related("payment"))
        else:
            return existing
    # Outside the transaction: the provider's refund cannot be rolled back.
    return _send(refund, parts)


def _write(
    order: Order,
    order_line: OrderLine,
    quantity: int,
    actor: User | None,
    reference: str,
    reason: str,
    shipping: int = 0,
) -> tuple[Refund, list[RefundPart]]:
    """A new pending refund and its parts, under the order's lock."""
    price = order_line.unit_price * quantity
    amount = price + shipping
    if quantity < 1 or price > refundable_amount(order_line):
        raise RefundNotAllowed(
            _("This item has already been refunded as far as it can be.")
        )
    parts = _split(order, amount)
    card = any(part.payment.provider != Payment.STORE_CREDIT for part in parts)
    credit = any(part.payment.provider == Payment.STORE_CREDIT for part in parts)
    if card and credit:
        method = Refund.Method.SPLIT
    else:
        method = Refund.Method.CARD if card else Refund.Method.STORE_CREDIT
    refund = Refund.objects.create(
        order=order,
        order_line=order_line,
        quantity=quantity,
        amount=amount,
        method=method,
        reference=reference,
        reason=reason[:200],
        actor=actor,
    )
    for part in parts:
        part.refund = refund
    RefundPart.objects.bulk_create(parts)
    return refund, parts


def _send(refund: Refund, parts: list[RefundPart]) -> Refund:
    """Give back a pending refund's parts: the card parts through the
    provider each payment was made with, under keys made from our rows, then
    the store credit, all marked done together."""
    card = [part for part in parts if part.payment.provider != Payment.STORE_CREDIT]
    credit = [part for part in parts if part.payment.provider == Payment.STORE_CREDIT]
    if not card:
        with transaction.atomic():
            _issue_credit(refund, credit)
            _succeeded(refund)
        return refund
    try:
        for part in card:
            part.provider_reference = (
                payments.get_provider(part.payment.provider)
                .refund(
                    reference=part.payment.reference,
                    amount=part.amount,
                    idempotency_key=f"refund-{refund.pk}-{part.payment_id}",
                )
                .reference
            )
    except payments.ProviderUnavailable:
        logger.warning(
            "Refund %s pending: the provider did not answer", refund.reference
        )
        raise PaymentError(
            _(
                "The payment provider did not answer. The refund is pending; "
                "do it again to finish it (nothing is refunded twice)."
            )
        ) from None
    except PaymentError as error:
        logger.warning("Refund %s refused by the provider: %s", refund.reference, error)
        _failed(refund, str(error.message))
        raise
    with transaction.atomic():
        for part in card:
            RefundPart.objects.filter(pk=part.pk).update(
                provider_reference=part.provider_reference
            )
        _issue_credit(refund, credit)
        _succeeded(refund)
    return refund


def _split(order, amount: int) -> list[RefundPart]:
    """``amount`` over the order's tenders, cards first, each no more than
    it has left. Raises ``RefundNotAllowed`` if they have not that much."""
    parts = []
    for payment, left in refundable_tenders(order):
        share = min(left, amount - sum(part.amount for part in parts))
        if share > 0:
            parts.append(RefundPart(payment=payment, amount=share))
    if sum(part.amount for part in parts) < amount:
        raise RefundNotAllowed(_("That is more than the order has left to refund."))
    return parts


def _issue_credit(refund: Refund, parts: list[RefundPart]) -> None:
    for part in parts:
        issue_store_credit(
            user=refund.order.buyer,
            amount=part.amount,
            reason=refund.reason,
            actor=refund.actor,
            reference=f"refund-{refund.reference}",
            order=refund.order,
        )


def _succeeded(refund: Refund) -> None:
    """Mark it done, once: a twin that finished the same pending refund
    first leaves nothing to mark."""
    done = Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
        status=Refund.Status.SUCCEEDED
    )
    refund.status = Refund.Status.SUCCEEDED
    if not done:
        return
    OrderEvent.objects.create(
        order_id=refund.order_id,
        actor=refund.actor,
        kind=OrderEvent.Kind.REFUNDED,
        message=f"{refund.amount} ({refund.get_method_display()}): {refund.reason}"[
            :255
        ],
    )


def _failed(refund: Refund, message: str) -> None:
    """The provider refused: nothing was given back, and the order's page
    shows why."""
    with transaction.atomic():
        Refund.objects.filter(pk=refund.pk).update(
            status=Refund.Status.FAILED, failure_message=message[:255]
        )
        refund.status = Refund.Status.FAILED
        refund.failure_message = message[:255]
        OrderEvent.objects.create(
            order_id=refund.order_id,
            actor=refund.actor,
            kind=OrderEvent.Kind.REFUND_FAILED,
            message=f"{refund.amount}: {message}"[:255],
        )
