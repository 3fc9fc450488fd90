"""Refunds of order lines, to the payment they came from."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from shop import payments
from shop.exceptions import PaymentError, RefundNotAllowed
from shop.models import OrderEvent, OrderLine, Payment, Refund, User
from shop.selectors import refundable_amount

from .credit import issue_store_credit

logger = logging.getLogger(__name__)


def refund_order_line(
    *,
    order_line: OrderLine,
    quantity: int,
    actor: User | None,
    reference: str,
    reason: str,
) -> Refund:
    """Give back ``quantity`` units' price to the buyer's original payment.

    Idempotent by ``reference``: asking again returns the first refund. The
    refund row is written and committed (``pending``) before the provider
    is asked, so a crash in between leaves a visible pending refund rather
    than money sent with no record; the provider's answer is then recorded.
    An order paid by store credit is refunded to store credit. Raises
    ``RefundNotAllowed`` past what the line cost.
    """
    with transaction.atomic():
        order = order_line.order
        # The order's row serialises refunds of its lines.
        type(order).objects.select_for_update().get(pk=order.pk)
        existing = Refund.objects.filter(reference=reference).first()
        if existing is not None:
            return existing
        amount = order_line.unit_price * quantity
        if quantity < 1 or amount > refundable_amount(order_line):
            raise RefundNotAllowed(
                _("This item has already been refunded as far as it can be.")
            )
        card = order.payments.exclude(provider=Payment.STORE_CREDIT).first()
        refund = Refund.objects.create(
            order=order,
            order_line=order_line,
            quantity=quantity,
            amount=amount,
            method=Refund.Method.CARD if card else Refund.Method.STORE_CREDIT,
            reference=reference,
            reason=reason[:200],
            actor=actor,
        )
        if card is None:
            issue_store_credit(
                user=order.buyer,
                amount=amount,
                reason=reason,
                actor=actor,
                reference=f"refund-{reference}",
                order=order,
            )
            _succeeded(refund)
            return refund
    try:
        # The provider's key is our row's: asking again never refunds twice.
        payments.get_provider().refund(
            reference=card.reference,
            amount=amount,
            idempotency_key=f"refund-{refund.pk}",
        )
    except PaymentError:
        logger.exception("Refund %s failed at the provider", reference)
        Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED)
        raise
    with transaction.atomic():
        _succeeded(refund)
    return refund


def _succeeded(refund: Refund) -> None:
    Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.SUCCEEDED)
    refund.status = Refund.Status.SUCCEEDED
    OrderEvent.objects.create(
        order_id=refund.order_id,
        actor=refund.actor,
        kind=OrderEvent.Kind.REFUNDED,
        message=f"{refund.amount} ({refund.get_method_display()}): {refund.reason}"[
            :255
        ],
    )
