"""The money of one try at placing a cart's order: the card charge under
the attempt's idempotency key, the payments the order keeps, and giving a
charge back when no order holds it.

``checkout.place_order`` is the caller; it decides when each step runs
(charge outside any transaction, record inside the order's, give back
after a rollback) and says what that guarantees.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from shop import payments
from shop.exceptions import InvalidCard
from shop.models import Cart, Order, Payment, User
from shop.services.credit import spend_store_credit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attempt:
    """One try at placing a cart's order: the cart as read with its lines."""

    cart_id: int
    version: int

    @property
    def key(self) -> str:
        """The charge's idempotency key: the same for twins of this attempt
        (they read the same version), new once the version moves on."""
        return f"cart-{self.cart_id}-v{self.version}"


def charge_card(
    *,
    provider: payments.PaymentProvider,
    attempt: Attempt,
    amount: int,
    card_number: str,
) -> payments.Charge:
    """Charge ``amount`` to the card under the attempt's key: twins of one
    attempt get one charge. Call it outside any transaction."""
    if not card_number.strip():
        raise InvalidCard(_("Enter a card number."))
    return provider.charge(
        amount=amount,
        currency=settings.SHOP_CURRENCY,
        card_number=card_number,
        idempotency_key=attempt.key,
    )


def record_payments(
    *,
    order: Order,
    buyer: User,
    credit: int,
    charge: payments.Charge | None,
    provider_name: str,
) -> None:
    """Write what paid for ``order``, inside its transaction: ``credit``
    spent from the buyer's store credit (the account locked and checked
    again), and the card's ``charge``, each a captured ``Payment``. A
    charge a ``Payment`` holds is never given back."""
    if credit:
        spend_store_credit(user=buyer, amount=credit, order=order)
        Payment.objects.create(
            order=order,
            provider=Payment.STORE_CREDIT,
            reference=f"credit-order-{order.pk}",
            amount=credit,
            currency=order.currency,
            status=Payment.Status.CAPTURED,
        )
    if charge is not None:
        Payment.objects.create(
            order=order,
            provider=provider_name,
            reference=charge.reference,
            amount=charge.amount,
            currency=charge.currency,
            card_last4=charge.card_last4,
            status=Payment.Status.CAPTURED,
        )


def give_back(
    *,
    provider: payments.PaymentProvider,
    attempt: Attempt,
    charge: payments.Charge | None,
) -> None:
    """Refund an attempt's charge, which this attempt did not place an order
    with, unless a twin of the attempt did: twins share one charge.

    First the attempt's key is retired, by moving the cart to a new version
    if it is still at the attempt's: that waits for a twin holding the
    cart's claim, and keeps any twin still to come from claiming it. Then,
    with no twin left to place it, a charge that no ``Payment`` holds is
    refunded, once (the refund's key is the attempt's).
    """
    if charge is None:
        return
    try:
        with transaction.atomic():
            Cart.objects.filter(pk=attempt.cart_id, version=attempt.version).update(
                version=F("version") + 1
            )
            placed = Payment.objects.filter(reference=charge.reference).exists()
    except Exception:
        logger.exception(
            "Could not check whether charge %s (%s) belongs to an order; not "
            "refunded: a person must look",
            charge.reference,
            charge.amount,
        )
        return
    if placed:
        return
    try:
        provider.refund(
            reference=charge.reference,
            amount=charge.amount,
            idempotency_key=f"{attempt.key}-refund",
        )
    except Exception:
        # The order was not written; the charge must still be given back, so
        # this needs a person: log loudly with everything they need.
        logger.exception(
            "Refund of charge %s (%s) failed after checkout rolled back",
            charge.reference,
            charge.amount,
        )
